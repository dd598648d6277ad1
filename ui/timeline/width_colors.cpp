#include "timeline/width_colors.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ddsm::ui {

namespace {

// Viridis at evenly spaced positions from 0.2 to 1.0.
constexpr std::array<std::array<int, 3>, 9> kRamp{{
    {65, 68, 135},
    {57, 86, 140},
    {45, 112, 142},
    {37, 133, 142},
    {30, 155, 138},
    {42, 176, 127},
    {94, 201, 98},
    {170, 220, 50},
    {253, 231, 37},
}};

QColor rampAt(double position)
{
    const double scaled = std::clamp(position, 0.0, 1.0) * (kRamp.size() - 1);
    const size_t left = std::min(static_cast<size_t>(scaled), kRamp.size() - 2);
    const double f = scaled - static_cast<double>(left);
    const auto mix = [&](int channel) {
        return static_cast<int>(std::lround(kRamp[left][channel]
                                            + f * (kRamp[left + 1][channel] - kRamp[left][channel])));
    };
    return QColor(mix(0), mix(1), mix(2));
}

}  // namespace

QColor widthColor(double width, const std::vector<double>& levels)
{
    if (levels.empty())
        return rampAt(1.0);
    const auto [smallest, largest] = std::minmax_element(levels.begin(), levels.end());
    if (*largest <= *smallest)
        return rampAt(1.0);
    return rampAt((width - *smallest) / (*largest - *smallest));
}

}  // namespace ddsm::ui
