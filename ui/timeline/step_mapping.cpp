#include "timeline/step_mapping.h"

#include <algorithm>

namespace ddsm::ui {

TimestepSpan spanOfStep(const std::vector<int>& timesteps, int step, int T)
{
    const int n = static_cast<int>(timesteps.size());
    const auto at = [&](int i) { return timesteps[static_cast<size_t>(i)]; };
    TimestepSpan span;
    // Timesteps fall as steps rise: the previous step is noisier (larger t).
    span.t_hi = step == 0 ? T - 1 : (at(step - 1) + at(step)) / 2;
    span.t_lo = step == n - 1 ? 0 : (at(step) + at(step + 1)) / 2 + 1;
    return span;
}

TimestepSpan spanOfSteps(const std::vector<int>& timesteps, int first, int last, int T)
{
    const int early = std::min(first, last);
    const int late = std::max(first, last);
    return {spanOfStep(timesteps, late, T).t_lo, spanOfStep(timesteps, early, T).t_hi};
}

}  // namespace ddsm::ui
