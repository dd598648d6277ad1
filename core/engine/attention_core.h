#pragma once
// The matmuls and softmax of self-attention over the pixels of an image:
//   out[b] = v[b] softmax(scale q[b]^T k[b])^T,   q, k, v, out: [B, C, N].
// Inference on float CPU tensors runs in groups of images whose N x N weights
// fit in a core's cache between the two matmuls (two images at 16 x 16 pixels,
// dozens at 7 x 7), and the softmax uses a vectorised exponential (torch's
// costs the same at every width, since N x N does not shrink with C: at the
// CIFAR-10 config's width 0.25 it was 3.5% of the forward pass). Training, other
// devices and batches smaller than the thread count run the composite torch
// ops; both agree to float rounding.
#include <torch/types.h>

namespace ddsm {

torch::Tensor attentionCore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale);

// The composite torch ops, for reference and fallback.
torch::Tensor attentionCoreReference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                     double scale);

// The same over pixel-major operands, [B, N, C] (a channels-last activation's
// memory): out[b] = softmax(scale q[b] k[b]^T) v[b], [B, N, C].
torch::Tensor attentionCorePixelMajor(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      double scale);
torch::Tensor attentionCorePixelMajorReference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                               double scale);

// On by default; off runs the composite ops everywhere (benchmarks compare).
void setFusedAttentionEnabled(bool enabled);

}  // namespace ddsm
