#pragma once
// Frechet distance between two Gaussians, the quantity behind FID:
//   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2}).
// Returns d^2 (what FID reports), computed in float64.
#include "metrics/gaussian_stats.h"

namespace ddsm {

// tr((S1 S2)^{1/2}) is the sum of the singular values of S1^{1/2} S2^{1/2}
// (symmetric_psd.h): it agrees with scipy's sqrtm formula (pytorch-fid) to
// ~1e-11 relative on nearly singular feature covariances, and with 50-digit
// arithmetic on the exactly singular covariances of few samples, where a
// general sqrtm is off by ~1e-8. Identical statistics give exactly 0, and a
// round-off result below 0 is reported as 0.
// Throws ddsm::Error naming both sizes when dimensions differ, and for
// malformed shapes or non-finite values.
double frechetDistance(const GaussianStats& a, const GaussianStats& b);
double frechetDistance(const at::Tensor& mu1, const at::Tensor& sigma1,
                       const at::Tensor& mu2, const at::Tensor& sigma2);

// Throws ddsm::Error unless mu is [D] and sigma is [D, D], both finite.
// `what` names the statistics in the message.
void checkGaussian(const at::Tensor& mu, const at::Tensor& sigma, const std::string& what);

}  // namespace ddsm
