#include "metrics_panel.h"

#include "elided_label.h"
#include "fid_text.h"
#include "quality_plot.h"

#include "schedule/width.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>


namespace ddsm::ui {

namespace {

const char* kNeedsReference = QT_TRANSLATE_NOOP("ddsm::ui::MetricsPanel",
    "Not available: needs reference statistics (mean and covariance of real images' features) and a quality run.");

}  // namespace

MetricsPanel::MetricsPanel(QWidget* parent) : QWidget(parent)
{
    // Values change with every edit and batch: elided labels of fixed height,
    // so the dock (and the plot below) never reflows.
    const auto value = [] { return new ElidedLabel(QStringLiteral("—"), 1, 14); };
    gflops_ = value();
    gflops_->setToolTip(tr("Counted from the network's structure: 2 x MACs, one forward pass per sampler step"));
    saving_ = value();
    latency_ = value();
    latency_->setToolTip(tr("Predicted from measured per-width latency: the sum over steps of the median time per image at that step's width"));
    quality_ = value();
    quality_->setToolTip(tr(kNeedsReference));
    fid_ = value();
    fid_->setToolTip(tr(kNeedsReference));
    vsFull_ = value();
    vsFull_->setToolTip(tr(kNeedsReference));

    auto* form = new QFormLayout;
    form->addRow(tr("GFLOPs / image:"), gflops_);
    form->addRow(tr("Saving vs full width:"), saving_);
    form->addRow(tr("Latency / image:"), latency_);
    form->addRow(tr("Predicted quality:"), quality_);
    form->addRow(tr("FID vs full width:"), vsFull_);
    form->addRow(tr("Measured FID:"), fid_);

    kid_ = value();
    kid_->setToolTip(tr(kNeedsReference));
    form->addRow(tr("Measured KID:"), kid_);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    measuring_ = new ElidedLabel(QString(), 2, 20);
    measuring_->setForegroundRole(QPalette::PlaceholderText);
    plot_ = new QualityPlot;

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(form);
    layout->addWidget(measuring_);
    layout->addWidget(plot_, 1);
}

void MetricsPanel::recompute(const ModelInfo& model, const StepSchedule& schedule, int steps, const LatencyProfile& latency)
{
    figures_ = computeScheduleFigures(model, schedule, steps, latency);
    if (figures_.steps == 0) {
        gflops_->setText(QStringLiteral("—"));
        saving_->setText(QStringLiteral("—"));
        latency_->setText(QStringLiteral("—"));
    } else {
        gflops_->setText(QString::number(figures_.gflopsPerImage, 'f', 4));
        saving_->setText(QStringLiteral("%1 %  (full width %2 GFLOPs)")
                             .arg(100 * figures_.saving, 0, 'f', 1)
                             .arg(figures_.fullWidthGflopsPerImage, 0, 'f', 4));
        if (figures_.predictedMs && figures_.fullWidthPredictedMs && *figures_.predictedMs > 0)
            latency_->setText(tr("%1 ms  (full width %2 ms, %3x faster)")
                                  .arg(*figures_.predictedMs, 0, 'f', 1)
                                  .arg(*figures_.fullWidthPredictedMs, 0, 'f', 1)
                                  .arg(*figures_.fullWidthPredictedMs / *figures_.predictedMs, 0, 'f', 2));
        else
            latency_->setText(tr("— (latency not measured yet)"));
    }
    plot_->setSteps(steps);
    updateCurrentMarker();
}

void MetricsPanel::updateCurrentMarker()
{
    // The current schedule sits at its measured FID once measured, else at the prediction.
    plot_->setCurrent(figures_.gflopsPerImage, measuredFid_ ? measuredFid_ : predictedFid_);
}

QString MetricsPanel::gflopsText() const { return gflops_->text(); }
QString MetricsPanel::savingText() const { return saving_->text(); }
QString MetricsPanel::latencyText() const { return latency_->text(); }

void MetricsPanel::setPredictedQuality(const std::optional<PredictedQuality>& quality)
{
    predictedFid_.reset();
    if (!quality) {
        quality_->setText(QStringLiteral("—"));
        quality_->setToolTip(tr(kNeedsReference));
        updateCurrentMarker();
        return;
    }
    if (quality->metric == QLatin1String("FID"))
        predictedFid_ = quality->value;
    updateCurrentMarker();
    quality_->setText(QStringLiteral("%1 %2 (predicted)").arg(quality->metric).arg(quality->value, 0, 'f', 2));
    quality_->setToolTip(quality->method);
}

void MetricsPanel::setPredictedQualityUnavailable(const QString& reason, const QString& note)
{
    quality_->setText(note.isEmpty() ? QStringLiteral("—") : QStringLiteral("— (%1)").arg(note));
    quality_->setToolTip(reason);
    predictedFid_.reset();
    updateCurrentMarker();
}

QString MetricsPanel::predictedQualityText() const { return quality_->text(); }

void MetricsPanel::setMeasuredFid(const std::optional<MeasuredFid>& fid)
{
    measuredFid_.reset();
    if (!fid) {
        fid_->setText(QStringLiteral("—"));
        fid_->setToolTip(tr(kNeedsReference));
        vsFull_->setText(QStringLiteral("—"));
        vsFull_->setToolTip(tr(kNeedsReference));
        kid_->setText(QStringLiteral("—"));
        kid_->setToolTip(tr(kNeedsReference));
        updateCurrentMarker();
        return;
    }
    measuredFid_ = fid->fid;
    measuring_->setText(fid->finished ? tr("Measured on %1 samples.").arg(fid->samples)
                                      : tr("Measuring in the background: %1 samples so far.").arg(fid->samples));
    const QString state = fid->finished ? tr("n=%1").arg(fid->samples) : tr("n=%1, measuring…").arg(fid->samples);
    fid_->setText(QStringLiteral("%1  [%2, %3]  %4")
                      .arg(fid->fid, 0, 'f', 2)
                      .arg(fid->ciLow, 0, 'f', 2)
                      .arg(fid->ciHigh, 0, 'f', 2)
                      .arg(state));
    fid_->setToolTip(tr("FID of %1 samples of the current schedule (seed and sampler of the Denoising dock), "
                        "%2 features, reference %3; bracket: 95% bootstrap interval")
                         .arg(fid->samples)
                         .arg(fid->featureNetwork, fid->reference));
    if (fid->vsFull) {
        // Lossless as far as n images can tell: the interval reaches 0 (as printed).
        const QString verdict = fid->vsFullLow < 0.005 ? tr("no loss detected") : tr("worse than full width");
        vsFull_->setText(QStringLiteral("%1  [%2, %3]  %4 · %5")
                             .arg(signedFid(*fid->vsFull), signedFid(fid->vsFullLow), signedFid(fid->vsFullHigh), state,
                                  verdict));
        vsFull_->setToolTip(tr("FID(schedule) - FID(full width) on the same %1 images (the same noise; full width %2); "
                               "bracket: 95% paired bootstrap interval. Pairing removes most of the sampling noise "
                               "that both share, so this settles long before the absolute FIDs do.")
                                .arg(fid->samples)
                                .arg(fid->fullWidthFid, 0, 'f', 2));
    } else {
        vsFull_->setText(tr("0 (this is full width)"));
        vsFull_->setToolTip(tr("The schedule runs full width at every step."));
    }
    if (fid->kid) {
        kid_->setText(QStringLiteral("%1  [%2, %3]  n=%4")
                          .arg(*fid->kid, 0, 'g', 4)
                          .arg(fid->kidLow, 0, 'g', 4)
                          .arg(fid->kidHigh, 0, 'g', 4)
                          .arg(fid->samples));
        kid_->setToolTip(tr("Unbiased KID (cubic kernel) against real training images' features; bracket: spread over subsets"));
    } else {
        kid_->setText(QStringLiteral("—"));
        kid_->setToolTip(tr("KID needs real images: install dataset-fashion-mnist"));
    }
    updateCurrentMarker();
}

void MetricsPanel::setMeasuredFidUnavailable(const QString& reason)
{
    measuredFid_.reset();
    fid_->setText(tr("— (not measured)"));
    fid_->setToolTip(reason);
    vsFull_->setText(QStringLiteral("—"));
    vsFull_->setToolTip(reason);
    measuring_->setText(reason);
    kid_->setText(QStringLiteral("—"));
    kid_->setToolTip(reason);
    updateCurrentMarker();
}

QString MetricsPanel::measuredFidText() const { return fid_->text(); }
QString MetricsPanel::costVsFullText() const { return vsFull_->text(); }
QString MetricsPanel::measuredKidText() const { return kid_->text(); }
QString MetricsPanel::measurementNote() const { return measuring_->text(); }

}  // namespace ddsm::ui
