// ddsm sample: an image grid under a step-aware schedule, optionally every step.
#include "commands.h"
#include "common.h"
#include "schedule_options.h"

#include "base/error.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/slimmable_denoiser.h"
#include "io/image_grid.h"
#include "io/png_text.h"
#include "schedule/schedule_json.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm sample (MODEL | --init random --config CFG) --out grid.png [options]\n"
    "\n"
    "Samples a grid of images. Image i always starts from the same noise for a\n"
    "given --seed, so two schedules differ only by the schedule. The schedule and\n"
    "settings are embedded in the PNG (text chunk \"ddsm-settings\").\n"
    "\n"
    "  --out FILE           the grid (.png)\n"
    "  --count N            images (default 16)\n"
    "  --frames DIR         also write a grid per step (x_t and predicted x0)\n";

}  // namespace

int runSample(const std::vector<std::string>& argv)
{
    auto valueOptions = kScheduleValueOptions;
    valueOptions.insert({"out", "count", "frames", "init", "config", "seed-init", "threads"});
    const Args args(argv, valueOptions, kScheduleFlagOptions);
    if (args.wantsHelp()) {
        std::printf("%s%s%s", kHelp, kScheduleOptionsHelp, kModelOptionsHelp);
        return 0;
    }
    applyThreads(args);
    const auto out = args.get("out");
    if (!out)
        throw Error("--out FILE is required");
    const int count = args.getInt("count", 16);
    if (count < 1)
        throw Error("--count must be at least 1");
    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    const ModelShape config = shapeOf(*denoiser);
    const ScheduleChoice choice = chooseSchedule(args, config.diffusion.T, config.widths);
    const GaussianDiffusion diffusion(config.diffusion);
    const auto cost = scheduleCost(choice.stepWidths, 1.0, [&](double w) { return denoiser->macsPerImage(w); });

    const auto frames = args.get("frames");
    if (frames)
        std::filesystem::create_directories(*frames);
    GridOptions grid;
    grid.upscale = config.imageSize < 64 ? 2 : 1;

    SamplerRun run;
    run.timesteps = choice.timesteps;
    run.stepWidths = choice.stepWidths;
    run.x = initialNoise(choice.sampler.seed, 0, count, config.channels, config.imageSize);
    run.onStep = [&](const SamplerStep& step) {
        std::fprintf(stderr, "\rstep %d/%d  t %4d  width %.2f", step.step + 1, step.steps, step.timestep, step.width);
        if (frames) {
            char name[64];
            std::snprintf(name, sizeof name, "/step-%04d-xt.png", step.step);
            writePngWithText(*frames + name, makeImageGrid(step.x, grid), {});
            std::snprintf(name, sizeof name, "/step-%04d-x0.png", step.step);
            writePngWithText(*frames + name, makeImageGrid(step.x0, grid), {});
        }
    };
    const auto start = std::chrono::steady_clock::now();
    const auto result = runSampler(*denoiser, diffusion, choice.sampler, run);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "\n");

    ScheduleDocument document = choice.document;
    document.costs_json = nlohmann::json{{"gflops_per_image", cost.gflopsPerImage()},
                                         {"saving_vs_full", cost.saving()},
                                         {"seconds", seconds},
                                         {"images", count}}
                              .dump();
    const nlohmann::json settings{{"schedule", nlohmann::json::parse(scheduleToJson(document))},
                                  {"model", modelDescription},
                                  {"sampler", choice.sampler.toString()},
                                  {"count", count}};
    writePngWithText(*out, makeImageGrid(result.images, grid), {{kPngSettingsKey, settings.dump()}});
    std::printf("wrote %s: %d images, %s, %s\n  %.4f GFLOPs per image (saving %.1f%% vs full width), %.2f s\n",
                out->c_str(), count, choice.sampler.toString().c_str(), choice.document.schedule.description().c_str(),
                cost.gflopsPerImage(), 100 * cost.saving(), seconds);
    return 0;
}

}  // namespace ddsm::cli
