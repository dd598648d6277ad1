#pragma once
// Inference on a CPU runs the network in channels-last layout. oneDNN's 3x3
// convolutions are 1.1-1.6x faster on it than on NCHW on this project's
// machines, channel counts off the vector blocks gaining most (24 at 28x28:
// 1.62x; bench_conv_channels, one share of a batch of 64 per thread); the
// fused norm and attention kernels have channels-last paths. Training (grad
// mode) keeps NCHW: channels-last trains at 0.90-0.95x its speed
// (bench_train_layout). Other devices keep NCHW. The network's input and
// output stay NCHW.
#include <ATen/core/Tensor.h>

namespace ddsm {

// Whether a forward pass over x runs channels-last now.
bool runsChannelsLast(const at::Tensor& x);

// On by default; off runs inference in NCHW too (benchmarks compare).
void setChannelsLastEnabled(bool enabled);
bool channelsLastEnabled();
// Off by default; on, passes that record gradients run channels-last too
// (through torch's own kernels: the fused ones are for inference only), for
// benchmarks to compare.
void setChannelsLastTrainingEnabled(bool enabled);

}  // namespace ddsm
