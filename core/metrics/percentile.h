#pragma once
// Percentiles of a sample, with linear interpolation between order statistics
// (numpy.percentile's default), and the central interval at a given level.
#include <vector>

namespace ddsm {

struct Interval {
    double low = 0;
    double high = 0;
};

// q in [0, 1]. Throws ddsm::Error for an empty sample or q outside [0, 1].
double quantile(std::vector<double> values, double q);

// The interval between the (1 - level)/2 and (1 + level)/2 quantiles;
// level in (0, 1), e.g. 0.95.
Interval centralInterval(const std::vector<double>& values, double level);

}  // namespace ddsm
