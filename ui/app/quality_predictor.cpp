#include "quality_predictor.h"

#include <QObject>

namespace ddsm::ui {

std::unique_ptr<QualityPredictor> QualityPredictor::load(const QString& path)
{
    std::unique_ptr<QualityPredictor> loaded(new QualityPredictor);
    loaded->predictor_ = api::openPredictor(path.toStdString());
    const auto& c = loaded->predictor_.info();
    loaded->method_ = QObject::tr("Predicted %1 from a linear surrogate fitted to %2 measured schedules "
                                  "(%3 samples each; features %4; reference %5; model %6; %7). "
                                  "Held-out rank agreement: Kendall tau %8 on %9 schedules.")
                          .arg(QString::fromStdString(c.estimator))
                          .arg(c.fittedSchedules)
                          .arg(c.samples)
                          .arg(QString::fromStdString(c.featureName), QString::fromStdString(c.reference),
                               QString::fromStdString(c.model), QString::fromStdString(c.sampler))
                          .arg(c.heldOutKendallTau, 0, 'f', 2)
                          .arg(c.heldOutSchedules);
    return loaded;
}

int QualityPredictor::T() const { return predictor_.info().T; }
int QualityPredictor::steps() const { return predictor_.info().steps; }
std::string QualityPredictor::samplerTag() const { return predictor_.info().samplerTag; }

std::optional<PredictedQuality> QualityPredictor::predict(const StepSchedule& schedule, int steps, QString* whyNot) const
{
    const auto& c = predictor_.info();
    QString reason;
    if (schedule.T() != c.T)
        reason = QObject::tr("The predictor was calibrated for T = %1, this schedule has T = %2.").arg(c.T).arg(schedule.T());
    else if (steps != c.steps)
        reason = QObject::tr("The predictor was calibrated for %1 sampler steps, not %2.").arg(c.steps).arg(steps);
    if (!reason.isEmpty()) {
        if (whyNot)
            *whyNot = reason;
        return std::nullopt;
    }
    return PredictedQuality{predictor_.predict(schedule.widths()), QString::fromStdString(c.estimator), method_};
}


}  // namespace ddsm::ui
