#include "metrics/percentile.h"

#include "base/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ddsm {

double quantile(std::vector<double> values, double q)
{
    if (values.empty())
        throw Error("quantile of an empty sample");
    if (!(q >= 0.0 && q <= 1.0))
        throw Error("quantile must be in [0, 1], got " + std::to_string(q));
    std::sort(values.begin(), values.end());
    const double position = q * static_cast<double>(values.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, values.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return values[below] + fraction * (values[above] - values[below]);
}

Interval centralInterval(const std::vector<double>& values, double level)
{
    if (!(level > 0.0 && level < 1.0))
        throw Error("confidence level must be between 0 and 1, got " + std::to_string(level));
    const double tail = (1.0 - level) / 2.0;
    return {quantile(values, tail), quantile(values, 1.0 - tail)};
}

}  // namespace ddsm
