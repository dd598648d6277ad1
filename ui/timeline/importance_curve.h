#pragma once
// An importance curve drawn by hand: a few control points over the denoising
// trajectory plus thresholds that cut it into width levels, turned into a
// schedule with StepSchedule::fromImportance.
#include "schedule/step_schedule.h"

#include <vector>

namespace ddsm::ui {

struct ImportanceCurve {
    // Values in [0, 1] at evenly spaced points of denoising progress: points[0]
    // is at the noise end (t = T-1), points.back() at the image end (t = 0).
    // Between points the curve is linear, so what the user sees is what
    // fromImportance gets.
    std::vector<double> points;
    // Strictly descending, inside (0, 1), one fewer than the model's widths:
    // importance >= thresholds[i] picks widths[i] (the first such i).
    std::vector<double> thresholds;

    // Progress in [0, 1]: 0 = noise end, 1 = image end.
    double valueAt(double progress) const;
    // The curve sampled at every training timestep, index = t.
    std::vector<double> perTimestep(int T) const;
    // Progress of control point `index`.
    double progressOfPoint(int index) const;

    // Evenly spaced thresholds that line up with equal bands per width, and
    // `handles` points at the top band (so the schedule is the largest width).
    static ImportanceCurve defaultFor(int widthCount, int handles = 6);

    friend bool operator==(const ImportanceCurve& a, const ImportanceCurve& b)
    {
        return a.points == b.points && a.thresholds == b.thresholds;
    }
    friend bool operator!=(const ImportanceCurve& a, const ImportanceCurve& b) { return !(a == b); }
};

// fromImportance(T, curve.perTimestep(T), curve.thresholds, widths).
StepSchedule scheduleFromCurve(const ImportanceCurve& curve, int T,
                               const std::vector<double>& widths);

// A curve whose points sit in the middle of the band of the width that
// `schedule` uses at each point's timestep, keeping the thresholds: entering
// importance mode then starts near the schedule the user already has.
ImportanceCurve curveFittedTo(const StepSchedule& schedule, const std::vector<double>& widths,
                              const std::vector<double>& thresholds, int handles);

// The index of the entry of `levels` nearest to `width`.
int nearestLevel(const std::vector<double>& levels, double width);

}  // namespace ddsm::ui
