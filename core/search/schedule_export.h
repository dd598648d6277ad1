#pragma once
// From the sampler's steps back to the training-timestep axis that schedule
// files use (schedule/step_schedule.h).
#include "schedule/step_schedule.h"

#include <vector>

namespace ddsm {

// Training timestep t takes the width of the sampler step whose timestep is
// the nearest at or above t: step k covers t_{k+1} < t <= t_k, the last step
// covers 0..t_last. Looking the result up at `timesteps` gives `stepWidths`
// back exactly. `timesteps` in denoising order, starting at T-1.
StepSchedule scheduleFromStepWidths(int T, const std::vector<int>& timesteps, const std::vector<double>& stepWidths);

}  // namespace ddsm
