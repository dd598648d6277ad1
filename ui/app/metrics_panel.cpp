#include "metrics_panel.h"

#include "schedule/width.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace ddsm::ui {

namespace {

const char* kNeedsReference = QT_TRANSLATE_NOOP("ddsm::ui::MetricsPanel",
    "Not available: needs reference statistics (mean and covariance of real images' features) and a quality run.");

}  // namespace

MetricsPanel::MetricsPanel(QWidget* parent) : QWidget(parent)
{
    gflops_ = new QLabel(QStringLiteral("—"));
    gflops_->setToolTip(tr("Counted from the network's structure: 2 x MACs, one forward pass per sampler step"));
    saving_ = new QLabel(QStringLiteral("—"));
    latency_ = new QLabel(QStringLiteral("—"));
    latency_->setToolTip(tr("Predicted from measured per-width latency: the sum over steps of the median time per image at that step's width"));
    quality_ = new QLabel(QStringLiteral("—"));
    quality_->setToolTip(tr(kNeedsReference));
    fid_ = new QLabel(QStringLiteral("—"));
    fid_->setToolTip(tr(kNeedsReference));

    auto* form = new QFormLayout;
    form->addRow(tr("GFLOPs / image:"), gflops_);
    form->addRow(tr("Saving vs full width:"), saving_);
    form->addRow(tr("Latency / image\n(predicted from measured per-width latency):"), latency_);
    form->addRow(tr("Predicted quality:"), quality_);
    form->addRow(tr("Measured FID:"), fid_);

    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(180);
    plot_->xAxis->setLabel(tr("GFLOPs / image (counted)"));
    plot_->yAxis->setLabel(tr("ms / image, predicted"));
    plot_->yAxis->setTickLabelFont(QFont(font().family(), 8));
    plot_->xAxis->setTickLabelFont(QFont(font().family(), 8));
    plot_->addGraph();  // uniform widths
    plot_->graph(0)->setLineStyle(QCPGraph::lsNone);
    plot_->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 7));
    plot_->graph(0)->setName(tr("uniform widths"));
    plot_->addGraph();  // current schedule
    plot_->graph(1)->setLineStyle(QCPGraph::lsNone);
    plot_->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QColor(220, 60, 20), 12));
    plot_->graph(1)->setName(tr("current schedule"));
    plot_->legend->setVisible(true);
    // Cheaper (left) and faster (bottom) is better: the legend sits where points rarely are.
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot_->legend->setFont(QFont(font().family(), 8));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
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
    updatePlot(model, latency, steps);
}

void MetricsPanel::updatePlot(const ModelInfo& model, const LatencyProfile& latency, int steps)
{
    QVector<double> x, y;
    if (model.isLoaded() && steps >= 1 && steps <= model.T()) {
        for (double w : model.widths) {
            const auto uniform = computeScheduleFigures(model, StepSchedule::uniform(model.T(), w), steps, latency);
            if (uniform.predictedMs) {
                x << uniform.gflopsPerImage;
                y << *uniform.predictedMs;
            }
        }
    }
    plot_->graph(0)->setData(x, y);
    if (figures_.predictedMs)
        plot_->graph(1)->setData(QVector<double>{figures_.gflopsPerImage}, QVector<double>{*figures_.predictedMs});
    else
        plot_->graph(1)->data()->clear();
    plot_->rescaleAxes();
    plot_->xAxis->setRangeLower(0);
    plot_->yAxis->setRangeLower(0);
    plot_->xAxis->scaleRange(1.1, plot_->xAxis->range().center());
    plot_->yAxis->scaleRange(1.1, plot_->yAxis->range().center());
    plot_->xAxis->setRangeLower(0);
    plot_->yAxis->setRangeLower(0);
    plot_->replot();
}

QString MetricsPanel::gflopsText() const { return gflops_->text(); }
QString MetricsPanel::savingText() const { return saving_->text(); }
QString MetricsPanel::latencyText() const { return latency_->text(); }

void MetricsPanel::setPredictedQuality(const std::optional<PredictedQuality>& quality)
{
    if (!quality) {
        quality_->setText(QStringLiteral("—"));
        quality_->setToolTip(tr(kNeedsReference));
        return;
    }
    quality_->setText(QStringLiteral("%1 %2 (predicted)").arg(quality->metric).arg(quality->value, 0, 'f', 2));
    quality_->setToolTip(quality->method);
}

void MetricsPanel::setPredictedQualityUnavailable(const QString& reason)
{
    quality_->setText(QStringLiteral("—"));
    quality_->setToolTip(reason);
}

QString MetricsPanel::predictedQualityText() const { return quality_->text(); }

void MetricsPanel::setMeasuredFid(const std::optional<MeasuredFid>& fid)
{
    if (!fid) {
        fid_->setText(QStringLiteral("—"));
        fid_->setToolTip(tr(kNeedsReference));
        return;
    }
    fid_->setText(QStringLiteral("%1  [%2, %3]").arg(fid->fid, 0, 'f', 2).arg(fid->ciLow, 0, 'f', 2).arg(fid->ciHigh, 0, 'f', 2));
    fid_->setToolTip(tr("FID from %1 samples, %2 features, reference %3; bracket: bootstrap interval")
                         .arg(fid->samples)
                         .arg(fid->featureNetwork, fid->reference));
}

}  // namespace ddsm::ui
