#include "metrics/frechet.h"

#include "base/error.h"
#include "metrics/symmetric_psd.h"
#include "metrics/tensor_checks.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace ddsm {

void checkGaussian(const at::Tensor& mu, const at::Tensor& sigma, const std::string& what)
{
    if (!mu.defined() || mu.dim() != 1)
        throw Error(what + ": mean must be 1-D [D], got shape " + shapeString(mu));
    const int64_t d = mu.size(0);
    if (!sigma.defined() || sigma.dim() != 2 || sigma.size(0) != d || sigma.size(1) != d)
        throw Error(what + ": covariance must be [" + std::to_string(d) + ", " +
                    std::to_string(d) + "] to match a mean of dimension " + std::to_string(d) +
                    ", got shape " + shapeString(sigma));
    requireFinite(mu, what + " mean");
    requireFinite(sigma, what + " covariance");
}

double frechetDistance(const at::Tensor& mu1, const at::Tensor& sigma1,
                       const at::Tensor& mu2, const at::Tensor& sigma2)
{
    checkGaussian(mu1, sigma1, "first statistics");
    checkGaussian(mu2, sigma2, "second statistics");
    if (mu1.size(0) != mu2.size(0))
        throw Error("Frechet distance needs statistics of equal dimension, got " +
                    std::to_string(mu1.size(0)) + " and " + std::to_string(mu2.size(0)));

    const auto asDouble = [](const at::Tensor& t) { return t.to(at::kCPU, at::kDouble); };
    const at::Tensor s1 = asDouble(sigma1);
    const at::Tensor s2 = asDouble(sigma2);
    const at::Tensor diff = asDouble(mu1) - asDouble(mu2);
    // Identical statistics are exactly 0 apart; round-off would say +-1e-13.
    if (at::equal(s1, s2) && at::equal(diff, at::zeros_like(diff)))
        return 0.0;

    const double traceTerm = traceOfSqrtOfProduct(s1, s2);
    const double distance = diff.dot(diff).item<double>() + s1.trace().item<double>() +
                            s2.trace().item<double>() - 2.0 * traceTerm;
    return std::max(0.0, distance);  // a squared distance: below 0 is round-off
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b)
{
    return frechetDistance(a.mu, a.sigma, b.mu, b.sigma);
}

}  // namespace ddsm
