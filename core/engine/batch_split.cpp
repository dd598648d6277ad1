#include "engine/batch_split.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <atomic>
#include <vector>

namespace ddsm {

namespace {

std::atomic<bool> splitEnabled{true};

// Fewer images than this per thread leave too little work to pay for the
// parallel region and the final concatenation.
constexpr int64_t kMinImagesPerThread = 2;

}  // namespace

void setBatchSplitEnabled(bool enabled) { splitEnabled = enabled; }

int64_t batchShares(int64_t batch, const c10::Device& device)
{
    if (!splitEnabled || c10::GradMode::is_enabled() || !device.is_cpu() || at::in_parallel_region())
        return 1;
    return std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), batch / kMinImagesPerThread));
}

void runShares(int64_t shares, const std::function<void(int64_t share)>& share)
{
#ifdef _OPENMP
    // A library that opens its own parallel region inside a share would start
    // a nested team per thread and oversubscribe the cores (the benchmarks ran
    // slower so). Nothing here relies on nested regions, so they run on one
    // thread, process-wide.
    omp_set_max_active_levels(1);
#endif
    at::parallel_for(0, shares, 1, [&](int64_t begin, int64_t end) {
        // Grad mode is thread-local and the pool's threads start with it on.
        c10::AutoGradMode noGrad(false);
        for (int64_t i = begin; i < end; ++i)
            share(i);
    });
}

at::Tensor forwardSplitOverBatch(const at::Tensor& x, const at::Tensor& t, const BatchForward& forward)
{
    const int64_t shares = batchShares(x.size(0), x.device());
    if (shares < 2)
        return forward(x, t);
    const auto xs = x.tensor_split(shares);
    const auto ts = t.tensor_split(shares);
    std::vector<at::Tensor> outputs(shares);
    // Shares of the batch keep its layout (the batch is the outer dimension of both).
    runShares(shares, [&](int64_t i) { outputs[i] = forward(xs[i].contiguous(x.suggest_memory_format()), ts[i]); });
    return at::cat(outputs);
}

}  // namespace ddsm
