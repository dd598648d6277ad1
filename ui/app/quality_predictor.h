#pragma once
// A predicted quality for the schedule being edited: the API's distance
// predictor (a linear surrogate fitted to measured FIDs), fast
// enough to follow every edit. It is only valid for the sampler steps and T it
// was calibrated on; anything else gives no number rather than a wrong one.
#include "api/ddsm_api.h"
#include "quality_estimates.h"
#include "schedule/step_schedule.h"

#include <QString>

#include <memory>
#include <optional>
#include <string>

namespace ddsm::ui {

class QualityPredictor {
public:
    // Throws ddsm::Error naming the file.
    static std::unique_ptr<QualityPredictor> load(const QString& path);

    int T() const;
    int steps() const;
    // The sampler it was calibrated with (base/sampler_tag.h), e.g. "ddpm100".
    std::string samplerTag() const;
    // Nothing (and `whyNot` set) when the schedule's T or the sampler steps
    // differ from the calibration.
    std::optional<PredictedQuality> predict(const StepSchedule& schedule, int steps, QString* whyNot = nullptr) const;

private:
    QualityPredictor() = default;
    api::Predictor predictor_;
    QString method_;
};

}  // namespace ddsm::ui
