#pragma once
// Mean and covariance of a set of feature vectors: what FID compares, and
// what a reference statistics file holds.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace ddsm {

struct GaussianStats {
    at::Tensor mu;      // float64 [D]
    at::Tensor sigma;   // float64 [D, D]
    int64_t count = 0;  // samples behind the statistics; 0 when unknown
    std::string featureName;  // feature network, e.g. "inception-pool3"
    std::string source;       // what was measured, e.g. "cifar10-train-50k"

    int64_t dim() const;
};

// Statistics of features [N, D] (any floating type), computed in float64 with
// the unbiased covariance (divides by N - 1, as numpy.cov(rowvar=False)).
// Throws ddsm::Error for fewer than 2 rows, a non-2-D or non-finite input.
GaussianStats computeStats(const at::Tensor& features);

}  // namespace ddsm
