#include "schedule_figures.h"

#include "engine/flops.h"

namespace ddsm::ui {

ScheduleFigures computeScheduleFigures(const ModelInfo& model, const StepSchedule& schedule, int steps,
                                       const LatencyProfile& latency)
{
    ScheduleFigures f;
    if (!model.isLoaded() || schedule.empty() || steps < 1 || steps > schedule.T())
        return f;
    f.steps = steps;
    f.stepWidths = stepWidths(schedule, steps);
    const auto cost = scheduleCost(f.stepWidths, model.fullWidth(), [&](double w) { return model.macsAt(w); });
    f.gflopsPerImage = cost.gflopsPerImage();
    f.fullWidthGflopsPerImage = 2e-9 * cost.fullWidthMacsPerImage;
    f.saving = cost.saving();
    f.predictedMs = predictedMsPerImage(latency, f.stepWidths);
    f.fullWidthPredictedMs = predictedMsPerImage(latency, std::vector<double>(size_t(steps), model.fullWidth()));
    return f;
}

}  // namespace ddsm::ui
