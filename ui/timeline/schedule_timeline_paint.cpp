// How the timeline draws itself; the interaction lives in schedule_timeline.cpp.
#include "timeline/schedule_timeline.h"

#include "schedule/width.h"
#include "timeline/schedule_document_model.h"
#include "timeline/width_colors.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

namespace {

// Below this many pixels per step the steps are drawn as contiguous bands.
constexpr double kMinCellForSeparators = 6.0;

// Distinct from every colour of the width ramp.
const QColor kOverlayColor(232, 89, 60);

// A label stride of 1, 2 or 5 times a power of ten, at least `minimum`.
int niceStride(int minimum)
{
    for (int magnitude = 1;; magnitude *= 10)
        for (int factor : {1, 2, 5})
            if (factor * magnitude >= minimum)
                return factor * magnitude;
}

QColor withAlpha(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

}  // namespace

void ScheduleTimeline::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (!model_)
        return;
    const TimelineLayout geometry = layout();
    paintBands(painter, geometry);
    paintBars(painter, geometry);
    paintSelectionAndCursor(painter, geometry);
    paintLevelLabels(painter, geometry);
    paintAxes(painter, geometry);
    painter.setRenderHint(QPainter::Antialiasing);
    paintOverlay(painter, geometry);
    if (mode_ == EditMode::Importance)
        paintImportanceCurve(painter, geometry);
}

void ScheduleTimeline::paintBands(QPainter& painter, const TimelineLayout& geometry) const
{
    const QRectF plot = geometry.plot();
    for (int level = 0; level < geometry.levels(); ++level) {
        const QRectF band(plot.left(), geometry.barTop(level), plot.width(), geometry.bandHeight());
        painter.fillRect(band, level % 2 ? palette().alternateBase() : palette().base());
    }
    painter.setPen(QPen(palette().mid(), 0));
    painter.drawRect(plot);
}

void ScheduleTimeline::paintBars(QPainter& painter, const TimelineLayout& geometry) const
{
    const std::vector<double> widths = model_->stepWidths();
    const std::vector<double>& levels = model_->modelWidths();
    const QRectF plot = geometry.plot();
    const double cell = geometry.cellWidth();
    // One rectangle per run of equal width: exact for any N, fast for N = 1000.
    for (size_t begin = 0; begin < widths.size();) {
        size_t end = begin + 1;
        while (end < widths.size() && widths[end] == widths[begin])
            ++end;
        const double top = geometry.barTop(levelOfWidth(widths[begin]));
        const QRectF bar(QPointF(plot.left() + begin * cell, top),
                         QPointF(plot.left() + end * cell, plot.bottom()));
        painter.fillRect(bar, widthColor(widths[begin], levels));
        begin = end;
    }
    if (cell >= kMinCellForSeparators) {
        painter.setPen(QPen(palette().base(), 1));
        for (int step = 1; step < geometry.steps(); ++step) {
            const double x = std::round(plot.left() + step * cell);
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        }
    }
}

void ScheduleTimeline::paintSelectionAndCursor(QPainter& painter,
                                               const TimelineLayout& geometry) const
{
    if (hasSelection()) {
        const QRectF first = geometry.columnRect(selectionFirst_);
        const QRectF last = geometry.columnRect(selectionLast_);
        const QRectF selection = first.united(last);
        painter.fillRect(selection, withAlpha(palette().highlight().color(), 70));
        painter.setPen(QPen(palette().highlight(), 0));
        painter.drawRect(selection);
    }
    QPen cursorPen(palette().text(), hasFocus() ? 2 : 1);
    if (!hasFocus())
        cursorPen.setStyle(Qt::DotLine);
    painter.setPen(cursorPen);
    painter.setBrush(Qt::NoBrush);
    const QRectF column = geometry.columnRect(cursor_);
    painter.drawRect(column.adjusted(0.5, 0.5, -0.5, -0.5));
}

void ScheduleTimeline::paintLevelLabels(QPainter& painter, const TimelineLayout& geometry) const
{
    const std::vector<double>& levels = model_->modelWidths();
    const QFontMetricsF metrics(font());
    const double swatch = std::round(metrics.height() * 0.7);
    for (int level = 0; level < geometry.levels(); ++level) {
        const double width = levels[static_cast<size_t>(level)];
        const double y = geometry.yForLevel(level);
        const QRectF box(6, y - swatch / 2, swatch, swatch);
        painter.fillRect(box, widthColor(width, levels));
        painter.setPen(palette().text().color());
        const QRectF text(box.right() + 4, y - metrics.height() / 2,
                          geometry.plot().left() - box.right() - 8, metrics.height());
        painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                         QString::fromStdString(formatWidth(width)));
    }
}

void ScheduleTimeline::paintAxes(QPainter& painter, const TimelineLayout& geometry) const
{
    const QRectF plot = geometry.plot();
    const QFontMetricsF metrics(font());
    const double line = metrics.height();
    const std::vector<int>& timesteps = model_->stepTimesteps();
    const int n = geometry.steps();

    // Two rows: the sampler step and the training timestep it reads.
    const double stepRow = plot.bottom() + 4;
    const double tRow = stepRow + line;
    const double endsRow = tRow + line;
    painter.setPen(palette().placeholderText().color());
    const QRectF rowLabels(0, stepRow, plot.left() - 8, line);
    painter.drawText(rowLabels, Qt::AlignRight | Qt::AlignVCenter, tr("step"));
    painter.drawText(rowLabels.translated(0, line), Qt::AlignRight | Qt::AlignVCenter, tr("t"));

    const double labelWidth = metrics.horizontalAdvance(QString::number(model_->T() - 1)) + 10;
    const int stride = niceStride(static_cast<int>(std::ceil(n * labelWidth / plot.width())));
    // Labels at the ends stay inside the plot's span, flush with its edge.
    const auto labelBox = [&](int step) {
        QRectF box(geometry.xForStep(step) - labelWidth / 2, stepRow, labelWidth, line);
        if (box.left() < plot.left())
            box.moveLeft(plot.left());
        else if (box.right() > plot.right())
            box.moveRight(plot.right());
        return box;
    };
    // Both ends are always labelled; the strided ticks between them only
    // where their labels do not collide with a neighbour's.
    const QRectF lastBox = labelBox(n - 1);
    std::vector<std::pair<int, QRectF>> ticks{{0, labelBox(0)}};
    for (int step = stride; step < n - 1; step += stride) {
        const QRectF box = labelBox(step);
        if (box.left() >= ticks.back().second.right() && box.right() <= lastBox.left())
            ticks.emplace_back(step, box);
    }
    if (n > 1)
        ticks.emplace_back(n - 1, lastBox);

    painter.setPen(palette().text().color());
    for (const auto& [step, box] : ticks) {
        const double x = geometry.xForStep(step);
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 3));
        // A label pushed inside the plot aligns with the edge it was pushed from.
        Qt::Alignment alignment = Qt::AlignCenter;
        if (box.left() == plot.left() && step == 0)
            alignment = Qt::AlignLeft | Qt::AlignVCenter;
        else if (box.right() == plot.right() && step == n - 1)
            alignment = Qt::AlignRight | Qt::AlignVCenter;
        painter.drawText(box, alignment, QString::number(step));
        painter.drawText(box.translated(0, line), alignment,
                         QString::number(timesteps[static_cast<size_t>(step)]));
    }

    painter.setPen(palette().placeholderText().color());
    const QRectF ends(plot.left(), endsRow, plot.width(), line);
    painter.drawText(ends, Qt::AlignLeft | Qt::AlignVCenter, tr("← noise"));
    painter.drawText(ends, Qt::AlignRight | Qt::AlignVCenter, tr("image →"));
    painter.setPen(palette().text().color());
    painter.drawText(QRectF(plot.left(), 2, plot.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                     titleText());
}

QString ScheduleTimeline::titleText() const
{
    if (mode_ == EditMode::Importance)
        return tr("importance: drag the handles and the dashed thresholds");
    return model_->name();
}

void ScheduleTimeline::paintOverlay(QPainter& painter, const TimelineLayout& geometry) const
{
    if (overlay_.empty())
        return;
    const auto [lowest, highest] = std::minmax_element(overlay_.begin(), overlay_.end());
    const double span = *highest - *lowest;
    const size_t count = overlay_.size();
    // About two points per pixel is all a line can show.
    const size_t stride = std::max<size_t>(1, count / std::max<size_t>(1, 2 * geometry.plot().width()));
    QPainterPath path;
    for (size_t j = 0;; j = std::min(j + stride, count - 1)) {
        // Index j is training timestep t = j; the noise end (t = T-1) is on the left.
        const double progress = count > 1 ? static_cast<double>(count - 1 - j) / (count - 1) : 0.0;
        const double value = span > 0 ? (overlay_[j] - *lowest) / span : 0.5;
        const QPointF point(geometry.xForProgress(progress), geometry.yForImportance(value));
        if (j == 0)
            path.moveTo(point);
        else
            path.lineTo(point);
        if (j == count - 1)
            break;
    }
    painter.setPen(QPen(kOverlayColor, 1.5));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    if (!overlayLabel_.isEmpty()) {
        // The caption shares the top row with the title: it gets the room the title leaves, elided.
        const QFontMetricsF metrics(font());
        const double gap = 2 * metrics.averageCharWidth();
        const double room = geometry.plot().width() - metrics.horizontalAdvance(titleText()) - gap;
        const QString caption = metrics.elidedText(tr("— %1").arg(overlayLabel_), Qt::ElideRight, std::max(0.0, room));
        painter.drawText(QRectF(geometry.plot().left(), 2, geometry.plot().width(), metrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, caption);
    }
}

void ScheduleTimeline::paintImportanceCurve(QPainter& painter, const TimelineLayout& geometry) const
{
    const ImportanceCurve& curve = model_->importanceCurve();
    const QRectF plot = geometry.plot();
    const QColor ink = palette().text().color();

    QPen dashed(ink, 1, Qt::DashLine);
    const QFontMetricsF metrics(font());
    for (size_t i = 0; i < curve.thresholds.size(); ++i) {
        const double y = geometry.yForImportance(curve.thresholds[i]);
        painter.setPen(dashed);
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(ink);
        painter.drawText(QRectF(plot.right() - 60, y - metrics.height(), 58, metrics.height()),
                         Qt::AlignRight | Qt::AlignBottom, QString::number(curve.thresholds[i], 'f', 2));
    }

    QPolygonF polyline;
    for (int k = 0; k < static_cast<int>(curve.points.size()); ++k)
        polyline << handlePosition(k);
    painter.setPen(QPen(ink, 2));
    painter.drawPolyline(polyline);
    const double radius = std::max(4.0, metrics.height() * 0.3);
    painter.setBrush(palette().base());
    for (const QPointF& handle : polyline)
        painter.drawEllipse(handle, radius, radius);
}

}  // namespace ddsm::ui
