#include "schedule/presets.h"

#include "base/error.h"
#include "schedule/width.h"

namespace ddsm {

namespace {

// "t 999..500": the timesteps of the first phase, which a very short schedule
// (T = 1) may not have at all.
std::string firstPhaseRange(const StepSchedule& schedule, double first_width)
{
    const ScheduleSegment first = schedule.segments().front();
    if (first.width != first_width)
        return "no timesteps at T = " + std::to_string(schedule.T());
    return "t " + std::to_string(first.t_begin) + ".." + std::to_string(first.t_end);
}

NamedSchedule twoPhase(const std::string& name, int T, double fraction, double first,
                       double second, const std::string& phase, const std::string& note = "")
{
    StepSchedule schedule = StepSchedule::switchFraction(T, fraction, first, second);
    std::string description = "width " + formatWidth(first) + " for " + phase + " ("
                              + firstPhaseRange(schedule, first) + "), then "
                              + formatWidth(second) + " down to t = 0" + note;
    return {name, description, std::move(schedule)};
}

}  // namespace

std::vector<NamedSchedule> schedulePresets(int T, const std::vector<double>& widths)
{
    if (widths.empty())
        throw Error("presets: no model widths given");
    for (size_t i = 0; i < widths.size(); ++i) {
        requireValidWidth(widths[i], "presets: width " + std::to_string(i));
        if (i > 0 && !(widths[i] < widths[i - 1]))
            throw Error("presets: widths must be strictly descending, but "
                        + formatWidth(widths[i]) + " follows " + formatWidth(widths[i - 1]));
    }

    std::vector<NamedSchedule> presets;
    for (double width : widths)
        presets.push_back({"uniform-" + formatWidth(width),
                           "width " + formatWidth(width) + " at every step",
                           StepSchedule::uniform(T, width)});
    if (widths.size() < 2)
        return presets;

    const double largest = widths.front();
    const double smallest = widths.back();
    presets.push_back(twoPhase("small-early-large-late", T, 0.5, smallest, largest,
                               "the noisier half of denoising"));
    presets.push_back(twoPhase("large-early-small-late", T, 0.5, largest, smallest,
                               "the noisier half of denoising"));
    presets.push_back(twoPhase("switch-0.3", T, 0.3, smallest, largest,
                               "the first 30% of denoising", " (T-Stitch style)"));
    return presets;
}

}  // namespace ddsm
