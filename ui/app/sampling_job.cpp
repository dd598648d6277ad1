// A sampling job: the engine's sampler with per-step grids for the interface.
#include "model_jobs.h"

#include "engine_sampler.h"

#include "engine/diffusion.h"
#include "engine/sampler.h"
#include "image_conversion.h"
#include "io/image_grid.h"
#include "schedule/respacing.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <exception>

namespace ddsm::ui {

namespace {

// The CLI's grid layout (app/cli/cmd_sample.cpp), so exports look the same.
GridOptions gridOptions(int imageSize)
{
    GridOptions grid;
    grid.upscale = imageSize < 64 ? 2 : 1;
    return grid;
}

GridGeometry geometryOf(const GridOptions& options, int count, int imageSize)
{
    GridGeometry g;
    g.count = count;
    g.columns = options.columns > 0 ? options.columns : int(std::ceil(std::sqrt(double(count))));
    g.tileSize = imageSize * options.upscale;
    g.padding = options.padding;
    return g;
}

}  // namespace

SamplerSettings engineSampler(const SamplerChoice& choice)
{
    SamplerSettings s;
    s.kind = choice.kind;
    s.steps = choice.steps;
    s.eta = choice.eta;
    s.seed = choice.seed;
    return s;
}

SamplingOutcome runSamplingJob(Denoiser& denoiser, const SamplingRequest& request, int job,
                               const std::atomic<bool>& cancel, const FrameSink& onFrame)
{
    SamplingOutcome outcome;
    outcome.job = job;
    const auto start = std::chrono::steady_clock::now();
    try {
        const SamplerSettings settings = engineSampler(request.sampler);
        const GaussianDiffusion diffusion(denoiser.diffusion());
        settings.validate(diffusion.T());
        outcome.samplerText = settings.toString();
        const GridOptions options = gridOptions(denoiser.imageSize());
        outcome.grid = geometryOf(options, request.sampler.count, denoiser.imageSize());

        SamplerRun run;
        run.timesteps = respacedTimesteps(diffusion.T(), settings.steps);
        run.stepWidths = request.stepWidths;
        run.x = initialNoise(settings.seed, 0, request.sampler.count, denoiser.channels(), denoiser.imageSize());
        run.cancel = &cancel;
        if (request.sendFrames && onFrame) {
            run.onStep = [&](const SamplerStep& step) {
                StepFrame frame;
                frame.job = job;
                frame.step = step.step;
                frame.steps = step.steps;
                frame.timestep = step.timestep;
                frame.width = step.width;
                frame.xt = qimageFromMat(makeImageGrid(step.x, options));
                frame.x0 = qimageFromMat(makeImageGrid(step.x0, options));
                frame.grid = outcome.grid;
                onFrame(std::move(frame));
            };
        }
        const SamplerResult result = runSampler(denoiser, diffusion, settings, run);
        outcome.cancelled = result.cancelled;
        outcome.stepsRun = result.stepsRun;
        outcome.finalGrid = qimageFromMat(makeImageGrid(result.images, options));
    } catch (const std::exception& e) {
        outcome.failed = true;
        outcome.error = QString::fromStdString(e.what());
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

}  // namespace ddsm::ui
