#pragma once
// Ready-made schedules for a model's widths, offered first in the GUI and CLI.
#include "schedule/step_schedule.h"

#include <string>
#include <vector>

namespace ddsm {

struct NamedSchedule {
    std::string name;
    std::string description;  // one line
    StepSchedule schedule;
};

// `widths` are the model's widths, strictly descending (e.g. 1.0, 0.75, 0.5,
// 0.25). Returns, in this order:
//   "uniform-<w>" for each width;
//   "small-early-large-late": smallest width for the noisier half of
//       denoising, largest for the rest;
//   "large-early-small-late": the reverse;
//   "switch-0.3": smallest width for the first 30% of denoising, then the
//       largest (T-Stitch's small-then-large).
// The last three need two widths and are left out for a single-width model.
std::vector<NamedSchedule> schedulePresets(int T, const std::vector<double>& widths);

}  // namespace ddsm
