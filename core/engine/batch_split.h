#pragma once
// Inference on a CPU with several threads runs one network per thread over a
// share of the batch, each single-threaded, instead of every operation split
// across the threads. Narrow widths' operations are too small for oneDNN and
// the norms to divide well; whole sub-batches divide evenly at any width
// (bench_engine's "unsplit ms": the small config's width 0.5 26.7 ms in one
// piece, 22.4 ms split, batch 64 on two threads). Training, logged passes, small batches, other
// devices and calls already inside a parallel region run in one piece.
#include <ATen/core/Tensor.h>

#include <functional>

namespace ddsm {

using BatchForward = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& t)>;

// forward(x, t), evaluated per sub-batch in parallel where that applies; the
// result equals one call on the whole batch (rows are independent in eval).
at::Tensor forwardSplitOverBatch(const at::Tensor& x, const at::Tensor& t, const BatchForward& forward);

// How many shares a batch of this size on `device` would be split into now
// (1: it runs in one piece).
int64_t batchShares(int64_t batch, const c10::Device& device);

// share(i) for every i < shares, one share per thread, without autograd.
void runShares(int64_t shares, const std::function<void(int64_t share)>& share);

// On by default; off runs every batch in one piece (benchmarks compare).
void setBatchSplitEnabled(bool enabled);

}  // namespace ddsm
