#pragma once
// Quality against cost: FID (lower is better) over GFLOPs per image for
// every schedule measured so far, the uniform widths, the points of a running
// search and its Pareto front, and the current schedule as a marker. Clicking
// a point asks to load its schedule. Numbers of different kinds stay apart:
// measured runs, search scores (fewer samples, so biased upwards) and
// predictions are separate series, each saying what it is in the legend.
#include "quality_estimates.h"
#include "quality_jobs.h"
#include "schedule/step_schedule.h"

#include <qcustomplot.h>

#include <optional>
#include <vector>

namespace ddsm::ui {

class QualityPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit QualityPlot(QWidget* parent = nullptr);

    // What a number is: FIDs of many samples, a search's score of a few
    // (biased upwards), or a distance predictor's estimate.
    enum class Kind { Measured, SearchScore, Predicted };
    struct Point {
        StepSchedule schedule;  // training axis
        double gflops = 0;
        double fid = 0;
        double low = 0, high = 0;  // interval (measured points)
        QString label;
        Kind kind = Kind::Measured;
        int samples = 0;  // images behind the number (0: a prediction)
    };
    // "measured FID, 600 samples: 34.41 [31.2, 37.9]" and the like.
    static QString describe(const Point& point);

    // Forgets every point (a new model).
    void clearAll();
    // The sampler steps the points belong to; points of other step counts are hidden.
    void setSteps(int steps);
    // A measured schedule; replaces an earlier measurement of the same schedule and steps.
    void addMeasured(const Point& point, int steps);
    // Predicted FIDs of the uniform widths (from a distance predictor); empty clears.
    void setUniformPredictions(const std::vector<Point>& points);
    // The evaluated points and front of a search at `steps` sampler steps.
    void setSearch(const std::vector<Point>& evaluated, const std::vector<Point>& front, int steps);
    // The current schedule at `gflops`; its quality if known (else a vertical line).
    void setCurrent(double gflops, std::optional<double> fid);

    // The shown point nearest to pixel `pos` within `radius`, or nothing.
    std::optional<Point> pointAt(const QPointF& pos, double radius = 8) const;
    int measuredCount() const;
    int searchCount() const;
    QCPGraph* measuredGraph() const { return measured_; }

signals:
    void scheduleClicked(const ddsm::StepSchedule& schedule, const QString& label);

protected:
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    // Legend names carry the sample counts of what is shown.
    void refreshLegendNames();
    // Rebuilds every series (points changed), then the marker and axes.
    void refreshSeries();
    // Only the current-schedule marker and the axis ranges.
    void refreshCurrent();

    struct Stored {
        Point point;
        int steps = 0;
    };
    std::vector<Stored> measuredPoints_;
    std::vector<Point> uniformPredicted_;
    std::vector<Point> searchPoints_, searchFront_;
    int searchSteps_ = 0;
    int steps_ = 0;
    double currentGflops_ = 0;
    std::optional<double> currentFid_;
    double seriesRight_ = 0, seriesTop_ = 0;  // extent of the series, for the axes

    QCPGraph* uniform_;
    QCPGraph* searchEvaluated_;
    QCPGraph* front_;
    QCPGraph* measured_;
    QCPErrorBars* measuredBars_;
    QCPGraph* current_;
    QCPItemStraightLine* currentLine_;
};

}  // namespace ddsm::ui
