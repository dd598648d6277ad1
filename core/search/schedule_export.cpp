#include "search/schedule_export.h"

#include "base/error.h"

namespace ddsm {

StepSchedule scheduleFromStepWidths(int T, const std::vector<int>& timesteps, const std::vector<double>& stepWidths)
{
    if (timesteps.empty() || timesteps.size() != stepWidths.size())
        throw Error("schedule export: " + std::to_string(stepWidths.size()) + " widths for " +
                    std::to_string(timesteps.size()) + " steps");
    if (timesteps.front() != T - 1)
        throw Error("schedule export: the first step must be at t = T-1");
    std::vector<double> widths(T, stepWidths.back());
    for (size_t k = 0; k < timesteps.size(); ++k) {
        const int low = k + 1 < timesteps.size() ? timesteps[k + 1] + 1 : 0;
        for (int t = low; t <= timesteps[k]; ++t)
            widths[t] = stepWidths[k];
    }
    return StepSchedule::fromWidths(widths);
}

}  // namespace ddsm
