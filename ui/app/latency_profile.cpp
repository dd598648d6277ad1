#include "latency_profile.h"

#include <cmath>

namespace ddsm::ui {

std::optional<double> LatencyProfile::msAt(double width) const
{
    for (const auto& [w, ms] : msPerImageStep)
        if (std::abs(w - width) < 1e-9)
            return ms;
    return std::nullopt;
}

std::optional<double> predictedMsPerImage(const LatencyProfile& profile, const std::vector<double>& stepWidths)
{
    double total = 0;
    for (double w : stepWidths) {
        const auto ms = profile.msAt(w);
        if (!ms)
            return std::nullopt;
        total += *ms;
    }
    return total;
}

}  // namespace ddsm::ui
