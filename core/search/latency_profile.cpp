#include "search/latency_profile.h"

#include "engine/denoiser.h"
#include "metrics/percentile.h"

#include <torch/torch.h>

#include <chrono>

namespace ddsm {

CostModel measureLatencyCostModel(Denoiser& denoiser, const std::vector<double>& widths, const LatencyOptions& options)
{
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({options.batchSize, denoiser.channels(), denoiser.imageSize(), denoiser.imageSize()},
                                torch::TensorOptions().device(denoiser.device()));
    const auto t = torch::full({options.batchSize}, denoiser.diffusion().T / 2,
                               torch::TensorOptions().dtype(torch::kLong).device(denoiser.device()));
    std::vector<std::vector<double>> ms(widths.size());
    for (int round = -options.warmup; round < options.rounds; ++round)
        for (size_t w = 0; w < widths.size(); ++w) {
            const auto start = std::chrono::steady_clock::now();
            denoiser.predictEps(x, t, widths[w]);
            const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (round >= 0)
                ms[w].push_back(elapsed / options.batchSize);
        }
    CostModel model{"latency", "ms", {}};
    for (const auto& samples : ms)
        model.perWidth.push_back(quantile(samples, 0.5));
    return model;
}

}  // namespace ddsm
