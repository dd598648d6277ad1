#pragma once
// Runs a step-aware schedule: one network call per sampler step, at the width
// the schedule gives for that step's training timestep.
//
// Arrays run in denoising order: timesteps[0] = T-1 (noise) ... timesteps[N-1] = 0.
// Noise is drawn on the CPU from per-image, per-step seeds, so image i of a
// batch is the same whatever the batch size, device or schedule: two schedules
// given the same seed differ only by the schedule.
#include "engine/denoiser.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ddsm {

class GaussianDiffusion;

struct SamplerSettings {
    std::string kind = "ddim";           // "ddim" or "ddpm"
    int steps = 50;                      // N <= T, respaced evenly
    double eta = 0.0;                    // DDIM stochasticity (0 = deterministic)
    std::string variance = "fixedlarge"; // DDPM: "fixedlarge" (beta) or "fixedsmall" (posterior)
    bool clipX0 = true;                  // clamp predicted x0 to [-1, 1]
    uint64_t seed = 0;
    int firstImage = 0;                  // index of the batch's first image in the seed's sequence

    std::string toString() const;
    // Names the sampler, not the seed, for files measured under it:
    // "ddim50", "ddim50-eta0.5", "ddpm100", "ddpm100-fixedsmall", "-noclip" last.
    std::string tag() const;
    void validate(int T) const;          // throws ddsm::Error naming the setting
};

// What the callback sees after each step.
struct SamplerStep {
    int step = 0;        // 0-based index of the step just run
    int steps = 0;
    int timestep = 0;    // training timestep the network saw
    double width = 1.0;
    at::Tensor x;        // state after the step (x at the next timestep; the image after the last)
    at::Tensor x0;       // the network's prediction of the clean image at this step
};

using SamplerCallback = std::function<void(const SamplerStep&)>;

struct SamplerResult {
    at::Tensor images;   // [B, C, H, W] in [-1, 1] (unclamped last state if cancelled)
    int stepsRun = 0;
    bool cancelled = false;
};

// Starting noise for images firstImage .. firstImage+count-1 of `seed`.
at::Tensor initialNoise(uint64_t seed, int firstImage, int count, int channels, int size);
// Fresh noise of a stochastic step (DDPM, DDIM eta > 0) for the same images.
at::Tensor stepNoise(uint64_t seed, int firstImage, int count, int channels, int size, int step);

struct SamplerRun {
    std::vector<int> timesteps;      // denoising order, see above
    std::vector<double> stepWidths;  // one per step
    at::Tensor x;                    // state at `firstStep` (x_T noise when firstStep = 0)
    int firstStep = 0;               // resume from an intermediate state (shared prefixes)
    SamplerCallback onStep;          // may be empty
    const std::atomic<bool>* cancel = nullptr;  // checked before every network call
};

SamplerResult runSampler(Denoiser& denoiser, const GaussianDiffusion& diffusion, const SamplerSettings& settings,
                         const SamplerRun& run);

}  // namespace ddsm
