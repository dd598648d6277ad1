#pragma once
// Inference on a CPU runs the network in channels-last layout. oneDNN's
// convolutions are 1.1-3.7x faster on it than on NCHW on this project's
// machines, the narrow layers gaining most (16-32 channels at 28x28: 2.7-3.7x);
// the fused norm and attention kernels have channels-last paths. Training and
// other devices keep NCHW. The network's input and output stay NCHW.
#include <ATen/core/Tensor.h>

namespace ddsm {

// Whether a forward pass over x runs channels-last now.
bool runsChannelsLast(const at::Tensor& x);

// On by default; off runs inference in NCHW too (benchmarks compare).
void setChannelsLastEnabled(bool enabled);
bool channelsLastEnabled();

}  // namespace ddsm
