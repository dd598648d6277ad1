#include "timeline/importance_curve.h"

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

double ImportanceCurve::progressOfPoint(int index) const
{
    if (points.size() < 2)
        return 0.0;
    return static_cast<double>(index) / static_cast<double>(points.size() - 1);
}

double ImportanceCurve::valueAt(double progress) const
{
    if (points.empty())
        return 0.0;
    if (points.size() == 1)
        return points.front();
    const double position = std::clamp(progress, 0.0, 1.0) * static_cast<double>(points.size() - 1);
    const size_t left = std::min(static_cast<size_t>(position), points.size() - 2);
    const double fraction = position - static_cast<double>(left);
    return points[left] + fraction * (points[left + 1] - points[left]);
}

std::vector<double> ImportanceCurve::perTimestep(int T) const
{
    std::vector<double> values(static_cast<size_t>(std::max(T, 0)));
    for (int t = 0; t < T; ++t) {
        const double progress = T > 1 ? static_cast<double>(T - 1 - t) / (T - 1) : 0.0;
        values[static_cast<size_t>(t)] = valueAt(progress);
    }
    return values;
}

ImportanceCurve ImportanceCurve::defaultFor(int widthCount, int handles)
{
    ImportanceCurve curve;
    const int levels = std::max(widthCount, 1);
    for (int i = 1; i < levels; ++i)
        curve.thresholds.push_back(1.0 - static_cast<double>(i) / levels);
    const double topBandMiddle = 1.0 - 0.5 / levels;
    curve.points.assign(static_cast<size_t>(std::max(handles, 2)), topBandMiddle);
    return curve;
}

StepSchedule scheduleFromCurve(const ImportanceCurve& curve, int T,
                               const std::vector<double>& widths)
{
    return StepSchedule::fromImportance(T, curve.perTimestep(T), curve.thresholds, widths);
}

ImportanceCurve curveFittedTo(const StepSchedule& schedule, const std::vector<double>& widths,
                              const std::vector<double>& thresholds, int handles)
{
    ImportanceCurve curve;
    curve.thresholds = thresholds;
    curve.points.resize(static_cast<size_t>(std::max(handles, 2)));
    const int T = schedule.T();
    for (size_t k = 0; k < curve.points.size(); ++k) {
        const double progress = curve.progressOfPoint(static_cast<int>(k));
        const int t = static_cast<int>(std::lround((1.0 - progress) * (T - 1)));
        const size_t level = static_cast<size_t>(nearestLevel(widths, schedule.widthAt(t)));
        const double upper = level == 0 ? 1.0 : thresholds[level - 1];
        const double lower = level >= thresholds.size() ? 0.0 : thresholds[level];
        curve.points[k] = 0.5 * (upper + lower);
    }
    return curve;
}

int nearestLevel(const std::vector<double>& levels, double width)
{
    int best = 0;
    for (size_t i = 1; i < levels.size(); ++i)
        if (std::abs(levels[i] - width) < std::abs(levels[static_cast<size_t>(best)] - width))
            best = static_cast<int>(i);
    return best;
}

}  // namespace ddsm::ui
