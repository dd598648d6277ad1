#pragma once
// The colour of a network width, shared by the timeline, its legend and any
// other view that shows widths, so a width looks the same everywhere.
#include <QColor>

#include <vector>

namespace ddsm::ui {

// A perceptually ordered ramp (viridis, without its darkest end so that it
// reads on dark themes too): the largest of `levels` is the brightest yellow,
// the smallest a deep blue-violet. Widths between levels interpolate.
QColor widthColor(double width, const std::vector<double>& levels);

}  // namespace ddsm::ui
