#pragma once
// Where things are on the timeline: the plot area, the step columns, the width
// bands and the importance axis. Pure geometry, so painting, mouse handling and
// tests agree on one mapping.
#include <QRectF>

namespace ddsm::ui {

class TimelineLayout {
public:
    TimelineLayout() = default;
    // `plot` is the area of the step columns; `steps` >= 1 columns left to
    // right (step 0, the noise end, on the left); `levels` >= 1 bands top to
    // bottom (the largest width on top).
    TimelineLayout(const QRectF& plot, int steps, int levels);

    QRectF plot() const { return plot_; }
    int steps() const { return steps_; }
    int levels() const { return levels_; }

    double cellWidth() const;
    double bandHeight() const;
    // The centre of a step's column; stepAt clamps to 0..steps-1.
    double xForStep(int step) const;
    int stepAt(double x) const;
    QRectF columnRect(int step) const;
    // The centre of a width level's band; levelAt clamps to 0..levels-1.
    double yForLevel(int level) const;
    int levelAt(double y) const;
    // Top of the bar of a step at `level`: bars rise from the bottom, so a
    // wider network is a taller bar.
    double barTop(int level) const;

    // Importance values 0..1 map bottom..top of the plot.
    double yForImportance(double value) const;
    double importanceAt(double y) const;  // clamped to [0, 1]
    // Denoising progress 0 (noise) .. 1 (image) maps step 0's centre to the
    // last step's centre, matching where the sampler reads the curve.
    double xForProgress(double progress) const;

private:
    QRectF plot_;
    int steps_ = 1;
    int levels_ = 1;
};

}  // namespace ddsm::ui
