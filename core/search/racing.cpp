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
    const Candidate* best = nullptr;
    for (const auto& c : candidates)
        if (c.cost <= budget + 1e-12 && (!best || c.evaluation.quality < best->evaluation.quality))
            best = &c;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (c.cost > budget + 1e-12 || c.evaluation.samples >= settings.maxSamples)
            continue;
        const double se = std::hypot(c.evaluation.uncertainty, best->evaluation.uncertainty);
        if (&c == best || c.evaluation.quality - settings.z * se < best->evaluation.quality)
            out.push_back(i);
    }
    return out;
}

int nextSampleCount(int64_t samples, int maxSamples)
{
    return int(std::min<int64_t>(2 * std::max<int64_t>(samples, 1), maxSamples));
}

}  // namespace ddsm
