#include "search/racing.h"

#include <algorithm>
#include <cmath>

namespace ddsm {

std::vector<size_t> raceContenders(const std::vector<Candidate>& candidates, double budget,
                                   const RacingSettings& settings)
{
    std::vector<size_t> out;
    if (!settings.enabled())
        return out;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (c.cost > budget + 1e-12 || c.evaluation.samples >= settings.maxSamples)
            continue;
        bool settled = false;
        for (size_t j = 0; j < candidates.size() && !settled; ++j) {
            const auto& d = candidates[j];
            if (j == i || d.cost > c.cost + 1e-12)
                continue;
            const double se = std::hypot(c.evaluation.uncertainty, d.evaluation.uncertainty);
            settled = d.evaluation.quality + settings.z * se < c.evaluation.quality;
        }
        if (!settled)
            out.push_back(i);
    }
    return out;
}

int nextSampleCount(int64_t samples, int maxSamples)
{
    return int(std::min<int64_t>(2 * std::max<int64_t>(samples, 1), maxSamples));
}

}  // namespace ddsm
