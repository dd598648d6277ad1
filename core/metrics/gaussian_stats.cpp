#include "metrics/gaussian_stats.h"

#include "base/error.h"
#include "metrics/tensor_checks.h"

#include <ATen/ATen.h>

namespace ddsm {

int64_t GaussianStats::dim() const
{
    return mu.defined() ? mu.size(0) : 0;
}

GaussianStats computeStats(const at::Tensor& features)
{
    const at::Tensor x = featuresAsDouble(features, "features");
    const int64_t n = x.size(0);
    if (n < 2)
        throw Error("covariance needs at least 2 feature vectors, got " + std::to_string(n));
    GaussianStats stats;
    stats.mu = x.mean(0);
    const at::Tensor centred = x - stats.mu;
    stats.sigma = centred.t().mm(centred) / static_cast<double>(n - 1);
    stats.count = n;
    return stats;
}

}  // namespace ddsm
