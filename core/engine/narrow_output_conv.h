#pragma once
// A 3x3, stride 1, padding 1 convolution to a few output channels (the
// network's last layer, which emits the image), for channels-last inference.
// oneDNN runs it at under 20 GFLOP/s here for one output channel; as one
// matrix product of every pixel with the nine taps' weights, then a sum of
// nine shifted slices, it reads the input once (bench_conv_channels: 1.6-2.0x
// for one output, 1.25x for three from 128 channels). Other shapes, layouts and training return an
// undefined tensor, and so do shapes where it was measured slower.
#include <ATen/core/Tensor.h>

namespace ddsm {

// x: [B, C, H, W] channels-last; weight [O, C, 3, 3]; bias [O].
// Returns [B, O, H, W] channels-last, or undefined where it does not apply.
at::Tensor narrowOutputConv3x3(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

// The network's convolution: the kernel above where it applies, else torch's.
at::Tensor convolve(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t stride,
                    int64_t padding);

}  // namespace ddsm
