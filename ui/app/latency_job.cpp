// The latency profile: real time of a forward pass at each width on this machine.
#include "model_jobs.h"

#include "engine/sampler.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace ddsm::ui {

LatencyProfile measureLatency(Denoiser& denoiser, const LatencySettings& settings, const std::atomic<bool>& cancel,
                              const std::function<void(int, int)>& progress)
{
    torch::NoGradGuard noGrad;
    const auto widths = denoiser.widths();
    const int perWidth = settings.warmup + settings.repeats;
    const int total = perWidth * int(widths.size());
    const int T = denoiser.diffusion().T;
    // Fixed noise and mid-trajectory timesteps: the cost does not depend on them.
    const at::Tensor x = initialNoise(0, 0, settings.batch, denoiser.channels(), denoiser.imageSize());
    const at::Tensor t = torch::full({settings.batch}, T / 2, torch::kLong);

    LatencyProfile profile;
    profile.batch = settings.batch;
    profile.repeats = settings.repeats;
    profile.threads = torch::get_num_threads();
    int done = 0;
    for (double width : widths) {
        std::vector<double> ms;
        for (int call = 0; call < perWidth; ++call) {
            if (cancel.load())
                return {};
            const auto start = std::chrono::steady_clock::now();
            denoiser.predictEps(x, t, width);
            const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (call >= settings.warmup)
                ms.push_back(elapsed);
            if (progress)
                progress(++done, total);
        }
        std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
        profile.msPerImageStep[width] = ms[ms.size() / 2] / settings.batch;
    }
    return profile;
}

}  // namespace ddsm::ui
