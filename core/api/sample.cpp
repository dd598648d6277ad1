// An image grid under a schedule (`ddsm sample`), optionally every step, with
// the settings embedded in the PNG so an image can restore them.
#include "api/api_internal.h"

#include "base/error.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "io/image_grid.h"
#include "io/png_text.h"
#include "schedule/schedule_json.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace ddsm::api {

SampleResult sample(const Model& model, const SampleOptions& options)
{
    torch::NoGradGuard noGrad;
    if (options.gridPath.empty())
        throw Error("--out FILE is required");
    if (options.count < 1)
        throw Error("--count must be at least 1");
    Denoiser& denoiser = *model.denoiser();
    const ResolvedSchedule choice = resolveSchedule(options.schedule, options.sampler, model.T(), model.widths(),
                                                    options.note);
    const GaussianDiffusion diffusion(denoiser.diffusion());
    const auto cost = scheduleCost(choice.stepWidths, 1.0, [&](double w) { return denoiser.macsPerImage(w); });

    const std::string& frames = options.framesDir;
    if (!frames.empty())
        std::filesystem::create_directories(frames);
    GridOptions grid;
    grid.upscale = model.imageSize() < 64 ? 2 : 1;

    SamplerRun run;
    run.timesteps = choice.timesteps;
    run.stepWidths = choice.stepWidths;
    run.x = initialNoise(choice.sampler.seed, 0, options.count, model.channels(), model.imageSize());
    run.cancel = options.cancel;
    run.onStep = [&](const SamplerStep& step) {
        if (options.progress)
            options.progress({step.step, step.steps, step.timestep, step.width});
        if (!frames.empty()) {
            char name[64];
            std::snprintf(name, sizeof name, "/step-%04d-xt.png", step.step);
            writePngWithText(frames + name, makeImageGrid(step.x, grid), {});
            std::snprintf(name, sizeof name, "/step-%04d-x0.png", step.step);
            writePngWithText(frames + name, makeImageGrid(step.x0, grid), {});
        }
    };
    const auto start = std::chrono::steady_clock::now();
    const auto sampled = runSampler(denoiser, diffusion, choice.sampler, run);
    SampleResult result;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.schedule = choice.document.schedule.description();
    result.sampler = choice.sampler.toString();
    result.gflopsPerImage = cost.gflopsPerImage();
    result.saving = cost.saving();
    if (sampled.cancelled) {
        result.cancelled = true;
        return result;
    }

    ScheduleDocument document = choice.document;
    document.costs_json = nlohmann::json{{"gflops_per_image", cost.gflopsPerImage()},
                                         {"saving_vs_full", cost.saving()},
                                         {"seconds", result.seconds},
                                         {"images", options.count}}
                              .dump();
    const nlohmann::json settings{{"schedule", nlohmann::json::parse(scheduleToJson(document))},
                                  {"model", model.description()},
                                  {"sampler", choice.sampler.toString()},
                                  {"count", options.count}};
    writePngWithText(options.gridPath, makeImageGrid(sampled.images, grid), {{kPngSettingsKey, settings.dump()}});
    return result;
}

}  // namespace ddsm::api
