#pragma once
// Quality numbers that later work fills in (a quality predictor, an FID run).
// The Metrics dock shows "—" until one arrives; nothing here is ever invented.
#include <QString>

#include <optional>
#include <vector>

namespace ddsm::ui {

// A predicted quality of the current schedule, e.g. from a learned predictor.
struct PredictedQuality {
    double value = 0;
    QString metric;  // e.g. "FID"
    QString method;  // how it was predicted, shown in the tooltip
};

// A measured FID with what it depends on (DESIGN: estimates say what they are).
struct MeasuredFid {
    double fid = 0;
    double ciLow = 0, ciHigh = 0;  // bootstrap interval
    int samples = 0;
    QString featureNetwork;        // e.g. "Inception-v3 pool3"
    QString reference;             // reference statistics file
    // KID against real-image features, when measured.
    std::optional<double> kid;
    double kidLow = 0, kidHigh = 0;
    // What was measured, so the point can be plotted and its schedule reloaded.
    std::vector<double> widthsByTimestep;
    int steps = 0;
    // FID(schedule) - FID(full width) on the same images (same noise), with the
    // paired bootstrap interval: the figure that says what the schedule costs.
    // Absent for a full-width schedule (no difference to measure).
    std::optional<double> vsFull;
    double vsFullLow = 0, vsFullHigh = 0;
    double fullWidthFid = 0;
    bool finished = false;         // the last estimate of its run
    QString storeProblem;          // full width's images not kept for the next launch: why
};

}  // namespace ddsm::ui
