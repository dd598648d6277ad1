#pragma once
// The numbers the Metrics dock shows for a schedule, recomputed on every edit:
// pure arithmetic over the model's counted MACs and measured latency.
#include "latency_profile.h"
#include "model_info.h"
#include "schedule/step_schedule.h"

#include <optional>
#include <vector>

namespace ddsm::ui {

struct ScheduleFigures {
    int steps = 0;
    std::vector<double> stepWidths;       // denoising order
    double gflopsPerImage = 0;            // whole trajectory, one image (2 x MACs)
    double fullWidthGflopsPerImage = 0;
    double saving = 0;                    // 1 - gflops / full-width gflops
    std::optional<double> predictedMs;    // per image, from the measured per-width latency
    std::optional<double> fullWidthPredictedMs;
};

ScheduleFigures computeScheduleFigures(const ModelInfo& model, const StepSchedule& schedule, int steps,
                                       const LatencyProfile& latency);

}  // namespace ddsm::ui
