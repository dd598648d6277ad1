#include "schedule_figures.h"

#include "api/ddsm_api.h"

namespace ddsm::ui {

ScheduleFigures computeScheduleFigures(const ModelInfo& model, const StepSchedule& schedule, int steps,
                                       const LatencyProfile& latency)
{
    ScheduleFigures f;
    if (!model.isLoaded() || schedule.empty() || steps < 1 || steps > schedule.T())
        return f;
    f.steps = steps;
    f.stepWidths = stepWidths(schedule, steps);
    const std::vector<double> macs(model.macs.begin(), model.macs.end());
    const api::StepCosts cost = api::costOfStepWidths(f.stepWidths, model.widths, macs);
    f.gflopsPerImage = cost.gflopsPerImage;
    f.fullWidthGflopsPerImage = cost.fullWidthGflopsPerImage;
    f.saving = cost.saving;
    f.predictedMs = predictedMsPerImage(latency, f.stepWidths);
    f.fullWidthPredictedMs = predictedMsPerImage(latency, std::vector<double>(size_t(steps), model.fullWidth()));
    return f;
}

}  // namespace ddsm::ui
