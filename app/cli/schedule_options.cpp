#include "schedule_options.h"

#include "base/error.h"
#include "schedule/model_widths.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"

#include <cstdio>

namespace ddsm::cli {

SamplerSettings samplerFromArgs(const Args& args, int T, std::optional<int> steps)
{
    SamplerSettings sampler;
    sampler.kind = args.get("sampler");
    sampler.steps = steps ? args.getInt("steps", *steps) : args.getInt("steps");
    sampler.eta = args.getDouble("eta");
    sampler.variance = args.get("variance");
    sampler.seed = args.getSeed("seed");
    sampler.clipX0 = !args.has("no-clip");
    sampler.validate(T);
    return sampler;
}

namespace {

// The schedule as given, before any check against a model's widths.
ScheduleChoice scheduleFromArgs(const Args& args, int T, double fullWidth, std::optional<int> steps)
{
    ScheduleChoice c;
    if (const auto path = args.given("schedule")) {
        if (args.has("width"))
            throw Error("give either --schedule or --width, not both");
        c.document = loadSchedule(*path, T);
    } else {
        const double width = args.getDouble("width", fullWidth);
        c.document.schedule = StepSchedule::uniform(T, width);
        c.document.name = "uniform " + std::to_string(width).substr(0, 4);
    }
    c.sampler = samplerFromArgs(args, T, steps);
    c.timesteps = respacedTimesteps(T, c.sampler.steps);
    c.stepWidths = c.document.schedule.widthsAt(c.timesteps);
    c.document.sampler = SamplerRecord{c.sampler.kind, c.sampler.steps, c.sampler.eta, c.sampler.seed};
    return c;
}

}  // namespace

ScheduleChoice chooseSchedule(const Args& args, int T, const std::vector<double>& modelWidths,
                              std::optional<int> steps)
{
    if (modelWidths.empty())
        throw Error("the model has no widths");
    ScheduleChoice c = scheduleFromArgs(args, T, modelWidths.front(), steps);
    const std::string source = args.has("schedule") ? *args.given("schedule") : "--width " + formatWidth(c.document.schedule.widthAt(0));
    const auto noteOnStderr = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    c.document.schedule =
        fitToModelWidths(c.document.schedule, modelWidths, source, args.has("snap-widths"), noteOnStderr);
    if (!args.has("schedule"))
        c.document.name = "uniform " + std::to_string(c.document.schedule.widthAt(0)).substr(0, 4);
    c.stepWidths = c.document.schedule.widthsAt(c.timesteps);
    return c;
}

}  // namespace ddsm::cli
