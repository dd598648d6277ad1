#include "schedule_options.h"

#include "base/error.h"
#include "schedule/model_widths.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

// The model-widths check, or with --snap-widths the snapping and its note.
StepSchedule fitToModel(const Args& args, const StepSchedule& schedule, const std::vector<double>& modelWidths,
                        const std::string& source)
{
    if (!args.has("snap-widths")) {
        try {
            requireModelWidths(schedule, modelWidths, source);
        } catch (const Error& e) {
            throw Error(std::string(e.what()) + "; give --snap-widths to use the nearest model width instead");
        }
        return schedule;
    }
    SnappedSchedule snapped = snapToModelWidths(schedule, modelWidths);
    if (!snapped.snapped.empty())
        std::fprintf(stderr, "note: %s: %s\n", source.c_str(), snapped.note().c_str());
    return std::move(snapped.schedule);
}

}  // namespace

SamplerSettings samplerFromArgs(const Args& args, int T, int defaultSteps)
{
    SamplerSettings sampler;
    sampler.kind = args.get("sampler", "ddim");
    sampler.steps = args.getInt("steps", defaultSteps);
    sampler.eta = args.getDouble("eta", 0.0);
    sampler.variance = args.get("variance", "fixedlarge");
    sampler.seed = args.getSeed("seed", 0);
    sampler.clipX0 = !args.has("no-clip");
    sampler.validate(T);
    return sampler;
}

ScheduleDocument loadScheduleForModel(const Args& args, const std::string& path, int T,
                                      const std::vector<double>& modelWidths)
{
    ScheduleDocument document = loadSchedule(path, T);
    document.schedule = fitToModel(args, document.schedule, modelWidths, path);
    return document;
}

ScheduleChoice chooseSchedule(const Args& args, int T, const std::vector<double>& modelWidths, int defaultSteps)
{
    if (modelWidths.empty())
        throw Error("the model has no widths");
    ScheduleChoice c = chooseSchedule(args, T, modelWidths.front(), defaultSteps);
    const std::string source = args.has("schedule") ? *args.get("schedule") : "--width " + formatWidth(c.document.schedule.widthAt(0));
    c.document.schedule = fitToModel(args, c.document.schedule, modelWidths, source);
    if (!args.has("schedule"))
        c.document.name = "uniform " + std::to_string(c.document.schedule.widthAt(0)).substr(0, 4);
    c.stepWidths = c.document.schedule.widthsAt(c.timesteps);
    return c;
}

ScheduleChoice chooseSchedule(const Args& args, int T, double fullWidth, int defaultSteps)
{
    ScheduleChoice c;
    if (const auto path = args.get("schedule")) {
        if (args.has("width"))
            throw Error("give either --schedule or --width, not both");
        c.document = loadSchedule(*path, T);
    } else {
        const double width = args.getDouble("width", fullWidth);
        c.document.schedule = StepSchedule::uniform(T, width);
        c.document.name = "uniform " + std::to_string(width).substr(0, 4);
    }
    c.sampler = samplerFromArgs(args, T, defaultSteps);
    c.timesteps = respacedTimesteps(T, c.sampler.steps);
    c.stepWidths = c.document.schedule.widthsAt(c.timesteps);
    c.document.sampler = SamplerRecord{c.sampler.kind, c.sampler.steps, c.sampler.eta, c.sampler.seed};
    return c;
}

}  // namespace ddsm::cli
