#include "metrics/estimate.h"

#include <cmath>
#include <cstdio>

namespace ddsm {
namespace {

std::string formatValue(double v, bool smallScale)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, smallScale ? "%.4g" : "%.2f", v);
    return buf;
}

std::string orUnknown(const std::string& s)
{
    return s.empty() ? "unknown" : s;
}

}  // namespace

std::string Estimate::toString() const
{
    // One format for value and bounds, chosen by the value, so they line up.
    const bool smallScale = std::abs(value) < 1.0;
    char levelText[32];
    std::snprintf(levelText, sizeof levelText, "%g%%", level * 100.0);
    return estimator + " " + formatValue(value, smallScale) + " [" +
           formatValue(low, smallScale) + ", " + formatValue(high, smallScale) + "] " +
           levelText + " CI, n=" + std::to_string(samples) +
           ", features=" + orUnknown(featureName) + ", ref=" + orUnknown(reference);
}

}  // namespace ddsm
