#include "schedule/step_schedule.h"

#include "base/error.h"
#include "schedule/respacing.h"
#include "schedule/width.h"

#include <cmath>

namespace ddsm {

namespace {

void requirePositiveT(int T)
{
    if (T <= 0)
        throw Error("schedule: T = " + std::to_string(T) + " must be positive");
}

std::string tRange(int t_begin, int t_end)
{
    if (t_begin == t_end)
        return "t " + std::to_string(t_begin);
    return "t " + std::to_string(t_begin) + ".." + std::to_string(t_end);
}

}  // namespace

bool operator==(const ScheduleSegment& a, const ScheduleSegment& b)
{
    return a.t_begin == b.t_begin && a.t_end == b.t_end && a.width == b.width;
}

StepSchedule StepSchedule::uniform(int T, double width)
{
    requirePositiveT(T);
    requireValidWidth(width, "schedule: width");
    return StepSchedule(std::vector<double>(static_cast<size_t>(T), width));
}

StepSchedule StepSchedule::fromWidths(std::vector<double> widths)
{
    if (widths.empty())
        throw Error("schedule: no widths (T must be positive)");
    for (size_t t = 0; t < widths.size(); ++t)
        requireValidWidth(widths[t], "schedule: width at t = " + std::to_string(t));
    return StepSchedule(std::move(widths));
}

StepSchedule StepSchedule::fromRanges(int T, double default_width,
                                      const std::vector<WidthRange>& ranges)
{
    StepSchedule schedule = uniform(T, default_width);
    for (const WidthRange& range : ranges)
        schedule.setRange(range.t_lo, range.t_hi, range.width);
    return schedule;
}

StepSchedule StepSchedule::fromImportance(int T, const std::vector<double>& importance,
                                          const std::vector<double>& thresholds,
                                          const std::vector<double>& widths)
{
    requirePositiveT(T);
    if (importance.size() != static_cast<size_t>(T))
        throw Error("schedule: importance curve has " + std::to_string(importance.size())
                    + " values, expected T = " + std::to_string(T));
    if (widths.size() != thresholds.size() + 1)
        throw Error("schedule: " + std::to_string(thresholds.size()) + " thresholds need "
                    + std::to_string(thresholds.size() + 1) + " widths, got "
                    + std::to_string(widths.size()));
    for (size_t i = 0; i < thresholds.size(); ++i) {
        if (!std::isfinite(thresholds[i]))
            throw Error("schedule: threshold " + std::to_string(i) + " is not finite");
        if (i > 0 && !(thresholds[i] < thresholds[i - 1]))
            throw Error("schedule: thresholds must be strictly descending (threshold "
                        + std::to_string(i) + " is not below threshold "
                        + std::to_string(i - 1) + ")");
    }
    for (size_t i = 0; i < widths.size(); ++i)
        requireValidWidth(widths[i], "schedule: widths[" + std::to_string(i) + "]");

    std::vector<double> result(static_cast<size_t>(T), widths.back());
    for (size_t t = 0; t < result.size(); ++t) {
        if (!std::isfinite(importance[t]))
            throw Error("schedule: importance at t = " + std::to_string(t) + " is not finite");
        for (size_t i = 0; i < thresholds.size(); ++i) {
            if (importance[t] >= thresholds[i]) {
                result[t] = widths[i];
                break;
            }
        }
    }
    return StepSchedule(std::move(result));
}

StepSchedule StepSchedule::switchFraction(int T, double fraction, double first_width,
                                          double second_width)
{
    if (!(fraction >= 0.0 && fraction <= 1.0))
        throw Error("schedule: switch fraction " + formatWidth(fraction) + " is outside [0, 1]");
    requireValidWidth(first_width, "schedule: first width");
    StepSchedule schedule = uniform(T, second_width);
    const int first_t = static_cast<int>(std::lround((1.0 - fraction) * T));
    for (int t = first_t; t < T; ++t)
        schedule.widths_[static_cast<size_t>(t)] = first_width;
    return schedule;
}

double StepSchedule::widthAt(int t) const
{
    requireTimestep(t);
    return widths_[static_cast<size_t>(t)];
}

std::vector<double> StepSchedule::widthsAt(const std::vector<int>& timesteps) const
{
    std::vector<double> result;
    result.reserve(timesteps.size());
    for (int t : timesteps)
        result.push_back(widthAt(t));
    return result;
}

void StepSchedule::setWidth(int t, double width)
{
    requireTimestep(t);
    requireValidWidth(width, "schedule: width at t = " + std::to_string(t));
    widths_[static_cast<size_t>(t)] = width;
}

void StepSchedule::setRange(int t_lo, int t_hi, double width)
{
    requireTimestep(t_lo);
    requireTimestep(t_hi);
    if (t_lo > t_hi)
        throw Error("schedule: range t " + std::to_string(t_lo) + ".." + std::to_string(t_hi)
                    + " is reversed (t_lo must not exceed t_hi)");
    requireValidWidth(width, "schedule: width for " + tRange(t_hi, t_lo));
    for (int t = t_lo; t <= t_hi; ++t)
        widths_[static_cast<size_t>(t)] = width;
}

std::vector<ScheduleSegment> StepSchedule::segments() const
{
    std::vector<ScheduleSegment> result;
    for (int t = T() - 1; t >= 0; --t) {
        const double width = widths_[static_cast<size_t>(t)];
        if (!result.empty() && result.back().width == width)
            result.back().t_end = t;
        else
            result.push_back({t, t, width});
    }
    return result;
}

std::string StepSchedule::description(std::size_t max_segments) const
{
    if (empty())
        return "empty schedule";
    const std::vector<ScheduleSegment> runs = segments();
    std::string text;
    for (size_t i = 0; i < runs.size() && i < max_segments; ++i) {
        if (i > 0)
            text += ", ";
        text += formatWidth(runs[i].width) + " for " + tRange(runs[i].t_begin, runs[i].t_end);
    }
    if (runs.size() > max_segments)
        text += (text.empty() ? "" : ", and ") + std::to_string(runs.size() - max_segments)
                + " more segments";
    return text;
}

void StepSchedule::requireTimestep(int t) const
{
    if (t < 0 || t >= T())
        throw Error("schedule: timestep t = " + std::to_string(t) + " is outside [0, "
                    + std::to_string(T()) + ")");
}

std::vector<double> stepWidths(const StepSchedule& schedule, int steps)
{
    return schedule.widthsAt(respacedTimesteps(schedule.T(), steps));
}

}  // namespace ddsm
