// ddsm sample: an image grid under a step-aware schedule, optionally every step.
#include "api_options.h"
#include "commands.h"
#include "common.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm sample (MODEL | --init random --config CFG) --out grid.png [options]\n"
    "\n"
    "Samples a grid of images. Image i always starts from the same noise for a\n"
    "given --seed, so two schedules differ only by the schedule. The schedule and\n"
    "settings are embedded in the PNG (text chunk \"ddsm-settings\").\n"
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"out", "FILE", "the grid (.png)"},
               {"count", "N", "images", "16"},
               {"frames", "DIR", "also write a grid per step (x_t and predicted x0)"},
           } +
           scheduleOptions() + samplerOptions(50) + modelOptions();
}

}  // namespace

int runSample(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str());
        return 0;
    }
    applyThreads(args);
    api::SampleOptions options;
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    options.gridPath = *out;
    options.count = args.getInt("count");
    if (options.count < 1)
        throw Error("--count must be at least 1");
    const api::Model model = openApiModel(args);
    options.schedule = scheduleRequestFromArgs(args);
    options.sampler = apiSamplerFromArgs(args);
    options.framesDir = args.get("frames", "");
    options.note = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    options.progress = [](const api::SampleStep& step) {
        std::fprintf(stderr, "\rstep %d/%d  t %4d  width %.2f", step.step + 1, step.steps, step.timestep, step.width);
    };
    const api::SampleResult result = api::sample(model, options);
    std::fprintf(stderr, "\n");
    std::printf("wrote %s: %d images, %s, %s\n  %.4f GFLOPs per image (saving %.1f%% vs full width), %.2f s\n",
                out->c_str(), options.count, result.sampler.c_str(), result.schedule.c_str(), result.gflopsPerImage,
                100 * result.saving, result.seconds);
    return 0;
}

}  // namespace ddsm::cli
