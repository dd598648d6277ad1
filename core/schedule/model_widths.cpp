#include "schedule/model_widths.h"

#include "base/error.h"
#include "schedule/width.h"

#include <cmath>
#include <map>

namespace ddsm {

namespace {

constexpr double kTolerance = 1e-9;

bool isModelWidth(double width, const std::vector<double>& modelWidths)
{
    for (double m : modelWidths)
        if (std::abs(m - width) <= kTolerance)
            return true;
    return false;
}

double nearestModelWidth(double width, const std::vector<double>& modelWidths)
{
    double best = modelWidths.front();
    for (double m : modelWidths) {
        const double d = std::abs(m - width), bestD = std::abs(best - width);
        if (d < bestD || (d == bestD && m > best))
            best = m;
    }
    return best;
}

}  // namespace

std::string describeWidths(const std::vector<double>& widths)
{
    std::string out;
    for (double w : widths)
        out += (out.empty() ? "" : ", ") + formatWidth(w);
    return out;
}

void requireModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths,
                        const std::string& source)
{
    int first = -1, count = 0;
    for (int t = 0; t < schedule.T(); ++t)
        if (!isModelWidth(schedule.widthAt(t), modelWidths)) {
            if (first < 0)
                first = t;
            ++count;
        }
    if (first < 0)
        return;
    std::string message = source + ": width " + formatWidth(schedule.widthAt(first)) + " at t = " +
                          std::to_string(first);
    if (count > 1)
        message += " (and " + std::to_string(count - 1) + " more timesteps)";
    throw Error(message + " is not one of the model's widths (" + describeWidths(modelWidths) + ")");
}

std::string SnappedSchedule::note() const
{
    std::string out;
    for (const SnappedWidth& s : snapped)
        out += (out.empty() ? "" : ", ") + formatWidth(s.from) + " -> " + formatWidth(s.to) + " (" +
               std::to_string(s.timesteps) + (s.timesteps == 1 ? " timestep)" : " timesteps)");
    return out.empty() ? out : "snapped to the model's widths: " + out;
}

SnappedSchedule snapToModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths)
{
    if (modelWidths.empty())
        throw Error("cannot snap a schedule to a model without widths");
    SnappedSchedule result{schedule, {}};
    std::map<double, SnappedWidth> byWidth;
    for (int t = 0; t < schedule.T(); ++t) {
        const double w = schedule.widthAt(t);
        if (isModelWidth(w, modelWidths))
            continue;
        SnappedWidth& s = byWidth[w];
        s.from = w;
        s.to = nearestModelWidth(w, modelWidths);
        ++s.timesteps;
        result.schedule.setWidth(t, s.to);
    }
    for (const auto& item : byWidth)
        result.snapped.push_back(item.second);
    return result;
}

StepSchedule fitToModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths,
                              const std::string& source, bool snap,
                              const std::function<void(const std::string&)>& note)
{
    if (!snap) {
        try {
            requireModelWidths(schedule, modelWidths, source);
        } catch (const Error& e) {
            throw Error(std::string(e.what()) + "; give --snap-widths to use the nearest model width instead");
        }
        return schedule;
    }
    SnappedSchedule snapped = snapToModelWidths(schedule, modelWidths);
    if (!snapped.snapped.empty() && note)
        note("note: " + source + ": " + snapped.note());
    return std::move(snapped.schedule);
}

}  // namespace ddsm
