#pragma once
// The Metrics dock: cost of the current schedule (counted GFLOPs, saving vs
// full width, latency predicted from the measured per-width latency), updated
// on every edit, and slots for quality numbers that need reference statistics.
#include "latency_profile.h"
#include "model_info.h"
#include "quality_estimates.h"
#include "schedule_figures.h"

#include <QWidget>

#include <optional>

class QLabel;
class QCustomPlot;

namespace ddsm::ui {

class MetricsPanel : public QWidget {
    Q_OBJECT
public:
    explicit MetricsPanel(QWidget* parent = nullptr);

    // Recomputes everything from counted MACs and the measured latency; pure arithmetic.
    void recompute(const ModelInfo& model, const StepSchedule& schedule, int steps, const LatencyProfile& latency);
    const ScheduleFigures& figures() const { return figures_; }
    QString gflopsText() const;
    QString savingText() const;
    QString latencyText() const;
    QString predictedQualityText() const;
    QCustomPlot* plot() const { return plot_; }

public slots:
    // Hooks for quality work: a predicted quality of the current schedule and a
    // measured FID. std::nullopt clears back to "—".
    void setPredictedQuality(const std::optional<ddsm::ui::PredictedQuality>& quality);
    // No prediction, and why (shown as the tooltip of "—").
    void setPredictedQualityUnavailable(const QString& reason);
    void setMeasuredFid(const std::optional<ddsm::ui::MeasuredFid>& fid);

private:
    void updatePlot(const ModelInfo& model, const LatencyProfile& latency, int steps);

    QLabel* gflops_;
    QLabel* saving_;
    QLabel* latency_;
    QLabel* quality_;
    QLabel* fid_;
    QCustomPlot* plot_;
    ScheduleFigures figures_;
};

}  // namespace ddsm::ui
