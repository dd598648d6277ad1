#include "timeline/timeline_layout.h"

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

TimelineLayout::TimelineLayout(const QRectF& plot, int steps, int levels)
    : plot_(plot), steps_(std::max(steps, 1)), levels_(std::max(levels, 1))
{
}

double TimelineLayout::cellWidth() const { return plot_.width() / steps_; }

double TimelineLayout::bandHeight() const { return plot_.height() / levels_; }

double TimelineLayout::xForStep(int step) const
{
    return plot_.left() + (step + 0.5) * cellWidth();
}

int TimelineLayout::stepAt(double x) const
{
    const double column = std::floor((x - plot_.left()) / cellWidth());
    return static_cast<int>(std::clamp(column, 0.0, static_cast<double>(steps_ - 1)));
}

QRectF TimelineLayout::columnRect(int step) const
{
    return QRectF(plot_.left() + step * cellWidth(), plot_.top(), cellWidth(), plot_.height());
}

double TimelineLayout::yForLevel(int level) const
{
    return plot_.top() + (level + 0.5) * bandHeight();
}

int TimelineLayout::levelAt(double y) const
{
    const double band = std::floor((y - plot_.top()) / bandHeight());
    return static_cast<int>(std::clamp(band, 0.0, static_cast<double>(levels_ - 1)));
}

double TimelineLayout::barTop(int level) const { return plot_.top() + level * bandHeight(); }

double TimelineLayout::yForImportance(double value) const
{
    return plot_.bottom() - value * plot_.height();
}

double TimelineLayout::importanceAt(double y) const
{
    return std::clamp((plot_.bottom() - y) / plot_.height(), 0.0, 1.0);
}

double TimelineLayout::xForProgress(double progress) const
{
    if (steps_ == 1)
        return plot_.left() + progress * plot_.width();
    return xForStep(0) + progress * (xForStep(steps_ - 1) - xForStep(0));
}

}  // namespace ddsm::ui
