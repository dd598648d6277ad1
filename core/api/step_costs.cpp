// The cost of a schedule's per-step widths from a model's counted MACs, as
// `ddsm flops` counts it (engine/flops.h), for callers that hold only the counts.
#include "api/ddsm_api.h"

#include "engine/flops.h"

namespace ddsm::api {

StepCosts costOfStepWidths(const std::vector<double>& stepWidths, const std::vector<double>& widths,
                           const std::vector<double>& macsPerWidth)
{
    const auto macsAt = [&](double width) {
        // widths are descending: the last one at least as wide as `width` wins.
        double found = macsPerWidth.empty() ? 0.0 : macsPerWidth.front();
        for (size_t i = 0; i < widths.size() && i < macsPerWidth.size(); ++i)
            if (widths[i] >= width - 1e-9)
                found = macsPerWidth[i];
        return found;
    };
    const auto cost = scheduleCost(stepWidths, widths.empty() ? 1.0 : widths.front(), macsAt);
    StepCosts c;
    c.gflopsPerImage = cost.gflopsPerImage();
    c.fullWidthGflopsPerImage = 2e-9 * cost.fullWidthMacsPerImage;
    c.saving = cost.saving();
    return c;
}

}  // namespace ddsm::api
