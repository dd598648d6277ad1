#pragma once
// GroupNorm followed by SiLU, optionally after adding a per-(image, channel)
// offset, in one kernel for inference:
//   y = silu(group_norm(x + offset[n, c], groups, weight, bias, eps)).
// The composite ops read and write an activation tensor five to seven times
// (add, the norm's statistics and normalisation, SiLU); this reads it twice
// and writes it once, which matters where convolutions are cheap (narrow
// widths). Float CPU tensors in contiguous NCHW or channels-last layout take
// the fused path (the result keeps the layout); anything else (training,
// other devices or types) runs the composite ops, so results agree to float
// rounding either way.
#include <torch/types.h>

namespace ddsm {

// x: [N, C, H, W]; weight, bias: [C]; offset: undefined or [N, C].
torch::Tensor groupNormSiLU(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, const torch::Tensor& offset = {});
// The same kernel without the SiLU (torch's own is slow for groups of one or
// two channels, as narrow widths make them).
torch::Tensor groupNormFused(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                             const torch::Tensor& bias, double eps);

// The composite ops, for reference and fallback.
torch::Tensor groupNormSiLUReference(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                                     const torch::Tensor& bias, double eps, const torch::Tensor& offset = {});

// On by default; off runs the composite ops everywhere (benchmarks compare).
void setFusedGroupNormEnabled(bool enabled);

}  // namespace ddsm
