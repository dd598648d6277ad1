#pragma once
// The Metrics dock: cost of the current schedule (counted GFLOPs, saving vs
// full width, latency predicted from the measured per-width latency), updated
// on every edit; its predicted quality; a measured FID/KID that firms up in
// the background; and the quality-vs-cost plot of everything measured.
#include "latency_profile.h"
#include "model_info.h"
#include "quality_estimates.h"
#include "schedule_figures.h"

#include <QWidget>

#include <optional>

class QLabel;

namespace ddsm::ui {

class ElidedLabel;
class QualityPlot;

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
    QualityPlot* plot() const { return plot_; }
    QString measuredFidText() const;
    QString costVsFullText() const;  // the paired difference to full width
    QString measuredKidText() const;
    // What the background measurement is doing (or why it is not).
    QString measurementNote() const;

public slots:
    // Hooks for quality work: a predicted quality of the current schedule and a
    // measured FID. std::nullopt clears back to "—".
    void setPredictedQuality(const std::optional<ddsm::ui::PredictedQuality>& quality);
    // No prediction, and why: "—", or "— (note)" with a short `note`; the whole reason is the tooltip.
    void setPredictedQualityUnavailable(const QString& reason, const QString& note = QString());
    // A measured FID of the current schedule (as it firms up); nullopt: "—".
    void setMeasuredFid(const std::optional<ddsm::ui::MeasuredFid>& fid);
    // Why there is no measured FID (shown in place of the number).
    void setMeasuredFidUnavailable(const QString& reason);

private:
    void updateCurrentMarker();

    ElidedLabel* gflops_;
    ElidedLabel* saving_;
    ElidedLabel* latency_;
    ElidedLabel* quality_;
    ElidedLabel* fid_;
    ElidedLabel* vsFull_;
    ElidedLabel* kid_;
    ElidedLabel* measuring_;
    QualityPlot* plot_;
    ScheduleFigures figures_;
    std::optional<double> predictedFid_, measuredFid_;
};

}  // namespace ddsm::ui
