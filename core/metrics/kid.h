#pragma once
// Kernel Inception Distance (Binkowski et al. 2018): the unbiased estimate of
// the squared maximum mean discrepancy with the cubic polynomial kernel
//   k(x, y) = (x . y / D + 1)^3,
// averaged over random subsets as clean-fid and torch-fidelity do.
// Computed in float64. Unlike FID it is unbiased at any sample count.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace ddsm {

struct KidOptions {
    int64_t maxSubsetSize = 1000;  // a subset has min(this, N, M) rows of each set
    int subsets = 100;
    uint64_t seed = 0;
};

struct KidResult {
    double mean = 0;   // the KID value: mean over subsets
    double std = 0;    // population standard deviation over subsets (as torch-fidelity)
    int64_t subsetSize = 0;
    std::vector<double> subsetValues;  // in draw order
};

// Unbiased MMD^2 of x [M, D] against y [N, D] using every row (M, N >= 2):
//   sum_{i!=j} k(x_i,x_j) / (M(M-1)) + sum_{i!=j} k(y_i,y_j) / (N(N-1))
//   - 2 sum_{i,j} k(x_i,y_j) / (MN).
double unbiasedMmd2(const at::Tensor& x, const at::Tensor& y);

// KID of generated features against reference features: each subset draws
// rows of both sets without replacement (seeded). Throws ddsm::Error for
// mismatched dimensions, fewer than 2 rows, non-finite values, or no subsets.
KidResult computeKid(const at::Tensor& generated, const at::Tensor& reference,
                     const KidOptions& options = {});

}  // namespace ddsm
