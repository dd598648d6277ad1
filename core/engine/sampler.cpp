#include "engine/sampler.h"

#include "base/error.h"
#include "base/sampler_tag.h"
#include "base/splitmix.h"
#include "engine/diffusion.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace ddsm {

namespace {

at::Tensor perImageNoise(uint64_t seed, uint64_t stream, int firstImage, int count, int channels, int size)
{
    std::vector<at::Tensor> images;
    images.reserve(count);
    for (int i = 0; i < count; ++i) {
        auto generator = at::detail::createCPUGenerator(splitMix64(splitMix64(seed) ^ splitMix64(stream * 0x100000001b3ULL + firstImage + i)));
        images.push_back(torch::randn({channels, size, size}, generator, torch::kFloat));
    }
    return torch::stack(images);
}

}  // namespace

std::string SamplerSettings::toString() const
{
    std::ostringstream out;
    out << kind << " " << steps << " steps";
    if (kind == "ddim")
        out << ", eta " << eta;
    else
        out << ", " << variance << " variance";
    out << ", seed " << seed << (clipX0 ? ", x0 clipped" : "");
    return out.str();
}

std::string SamplerSettings::tag() const
{
    return samplerTag(kind, steps, eta, variance, clipX0);
}

void SamplerSettings::validate(int T) const
{
    if (kind != "ddim" && kind != "ddpm")
        throw Error("sampler must be \"ddim\" or \"ddpm\", got \"" + kind + "\"");
    if (steps < 1 || steps > T)
        throw Error("steps must be between 1 and T = " + std::to_string(T) + ", got " + std::to_string(steps));
    if (!(eta >= 0.0 && eta <= 1.0))
        throw Error("eta must be in [0, 1], got " + std::to_string(eta));
    if (variance != "fixedlarge" && variance != "fixedsmall")
        throw Error("variance must be \"fixedlarge\" or \"fixedsmall\", got \"" + variance + "\"");
}

at::Tensor initialNoise(uint64_t seed, int firstImage, int count, int channels, int size)
{
    return perImageNoise(seed, 0, firstImage, count, channels, size);
}

at::Tensor stepNoise(uint64_t seed, int firstImage, int count, int channels, int size, int step)
{
    return perImageNoise(seed, uint64_t(step) + 1, firstImage, count, channels, size);
}

SamplerResult runSampler(Denoiser& denoiser, const GaussianDiffusion& diffusion, const SamplerSettings& s,
                         const SamplerRun& run)
{
    torch::NoGradGuard noGrad;
    const int steps = int(run.timesteps.size());
    if (run.stepWidths.size() != run.timesteps.size())
        throw Error("sampler: " + std::to_string(run.stepWidths.size()) + " widths for " + std::to_string(steps) + " steps");
    if (!run.x.defined() || run.x.dim() != 4)
        throw Error("sampler: the starting state must be a [B, C, H, W] tensor");
    const auto device = denoiser.device();
    const int batch = int(run.x.size(0)), channels = int(run.x.size(1)), size = int(run.x.size(2));

    SamplerResult result;
    at::Tensor x = run.x.to(device, torch::kFloat);
    for (int k = run.firstStep; k < steps; ++k) {
        if (run.cancel && run.cancel->load()) {
            result.cancelled = true;
            break;
        }
        const int t = run.timesteps[k];
        const int prev = k + 1 < steps ? run.timesteps[k + 1] : -1;
        const double width = run.stepWidths[k];
        auto tTensor = torch::full({batch}, t, torch::TensorOptions().dtype(torch::kLong).device(device));
        auto eps = denoiser.predictEps(x, tTensor, width);

        auto x0 = diffusion.predictX0(x, t, eps);
        if (s.clipX0) {
            x0 = x0.clamp(-1.0, 1.0);
            // Keep eps consistent with the clipped x0 (as improved-diffusion's DDIM does).
            eps = (x - std::sqrt(diffusion.alphaBar(t)) * x0) / std::sqrt(1.0 - diffusion.alphaBar(t));
        }
        double noiseScale = 0.0;
        if (s.kind == "ddim") {
            const double abarT = diffusion.alphaBar(t), abarPrev = diffusion.alphaBar(prev);
            const double sigma = s.eta * std::sqrt((1 - abarPrev) / (1 - abarT) * (1 - abarT / abarPrev));
            x = std::sqrt(abarPrev) * x0 + std::sqrt(std::max(0.0, 1 - abarPrev - sigma * sigma)) * eps;
            noiseScale = sigma;
        } else {
            const auto p = diffusion.posterior(t, prev);
            x = p.coefX0 * x0 + p.coefXt * x;
            noiseScale = std::sqrt(s.variance == "fixedlarge" ? p.beta : p.variance);
        }
        if (prev >= 0 && noiseScale > 0)
            x = x + noiseScale * stepNoise(s.seed, s.firstImage, batch, channels, size, k).to(device);
        result.stepsRun = k + 1 - run.firstStep;
        if (run.onStep)
            run.onStep({k, steps, t, width, x, x0});
    }
    result.images = x;
    return result;
}

}  // namespace ddsm
