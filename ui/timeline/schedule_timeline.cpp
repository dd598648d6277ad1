#include "timeline/schedule_timeline.h"

#include "schedule/width.h"
#include "timeline/schedule_document_model.h"

#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

namespace {

QString widthText(double width) { return QString::fromStdString(formatWidth(width)); }

// Thresholds keep this far apart so they stay strictly descending.
constexpr double kThresholdGap = 0.01;

}  // namespace

ScheduleTimeline::ScheduleTimeline(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void ScheduleTimeline::setModel(ScheduleDocumentModel* model)
{
    if (model_ == model)
        return;
    if (model_)
        disconnect(model_, nullptr, this, nullptr);
    model_ = model;
    if (model_) {
        connect(model_, &ScheduleDocumentModel::modelChanged, this, &ScheduleTimeline::onModelReset);
        connect(model_, &ScheduleDocumentModel::stepsChanged, this, &ScheduleTimeline::onStepsChanged);
        connect(model_, &ScheduleDocumentModel::scheduleChanged, this,
                &ScheduleTimeline::onScheduleChanged);
    }
    onModelReset();
}

void ScheduleTimeline::setEditMode(EditMode mode)
{
    if (mode == mode_)
        return;
    mode_ = mode;
    drag_ = Drag::None;
    if (mode_ == EditMode::Importance && model_ && !model_->scheduleMatchesCurve())
        model_->fitImportanceCurveToSchedule();
    emit editModeChanged(mode_);
    update();
}

void ScheduleTimeline::setImportanceOverlay(std::vector<double> perTimestep, const QString& label)
{
    overlay_ = std::move(perTimestep);
    overlayLabel_ = label;
    update();
}

TimelineLayout ScheduleTimeline::layout() const
{
    const QFontMetricsF metrics(font());
    const double line = metrics.height();
    double labelWidth = std::max(metrics.horizontalAdvance(tr("step")),
                                 metrics.horizontalAdvance(tr("noise")));
    if (model_)
        for (double width : model_->modelWidths())
            labelWidth = std::max(labelWidth, metrics.horizontalAdvance(widthText(width)));
    const double swatch = std::round(line * 0.7);
    const double left = std::ceil(6 + swatch + 4 + labelWidth + 8);
    const double top = std::ceil(line + 6);
    const double bottom = std::ceil(3 * line + 10);
    QRectF plot = QRectF(rect()).adjusted(left, top, -10, -bottom);
    plot.setWidth(std::max(plot.width(), 1.0));
    plot.setHeight(std::max(plot.height(), 1.0));
    return TimelineLayout(plot, model_ ? model_->steps() : 1, levelCount());
}

int ScheduleTimeline::levelCount() const
{
    return model_ ? static_cast<int>(model_->modelWidths().size()) : 1;
}

int ScheduleTimeline::levelOfWidth(double width) const
{
    return model_ ? nearestLevel(model_->modelWidths(), width) : 0;
}

double ScheduleTimeline::yForWidth(double width) const
{
    return layout().yForLevel(levelOfWidth(width));
}

double ScheduleTimeline::widthAt(double y) const
{
    if (!model_)
        return 1.0;
    return model_->modelWidths()[static_cast<size_t>(layout().levelAt(y))];
}

QPointF ScheduleTimeline::handlePosition(int index) const
{
    if (!model_)
        return {};
    const ImportanceCurve& curve = model_->importanceCurve();
    const TimelineLayout geometry = layout();
    return {geometry.xForProgress(curve.progressOfPoint(index)),
            geometry.yForImportance(curve.points.at(static_cast<size_t>(index)))};
}

double ScheduleTimeline::yForThreshold(int index) const
{
    if (!model_)
        return 0.0;
    return layout().yForImportance(model_->importanceCurve().thresholds.at(static_cast<size_t>(index)));
}

void ScheduleTimeline::setCursorStep(int step)
{
    if (!model_)
        return;
    step = std::clamp(step, 0, model_->steps() - 1);
    if (step == cursor_)
        return;
    cursor_ = step;
    emit cursorStepChanged(cursor_);
    update();
}

void ScheduleTimeline::setSelection(int first, int last)
{
    if (!model_)
        return;
    const int n = model_->steps();
    first = std::clamp(first, 0, n - 1);
    last = std::clamp(last, 0, n - 1);
    if (first > last)
        std::swap(first, last);
    if (first == selectionFirst_ && last == selectionLast_)
        return;
    selectionFirst_ = first;
    selectionLast_ = last;
    emit selectionChanged(first, last);
    update();
}

void ScheduleTimeline::clearSelection()
{
    selectionAnchor_ = -1;
    if (!hasSelection())
        return;
    selectionFirst_ = selectionLast_ = -1;
    emit selectionChanged(-1, -1);
    update();
}

void ScheduleTimeline::setSelectedWidth(double width)
{
    if (!model_)
        return;
    if (hasSelection())
        model_->setStepRangeWidth(selectionFirst_, selectionLast_, width);
    else
        model_->setStepRangeWidth(cursor_, cursor_, width);
}

QString ScheduleTimeline::describeStep(int step) const
{
    if (!model_ || step < 0 || step >= model_->steps())
        return QString();
    return tr("step %1 of %2 · t = %3 · width %4")
        .arg(step)
        .arg(model_->steps())
        .arg(model_->stepTimesteps()[static_cast<size_t>(step)])
        .arg(widthText(model_->stepWidth(step)));
}

void ScheduleTimeline::populateContextMenu(QMenu* menu)
{
    if (!model_)
        return;
    const QString target = hasSelection()
                               ? tr("steps %1–%2").arg(selectionFirst_).arg(selectionLast_)
                               : tr("step %1").arg(cursor_);
    const std::vector<double>& widths = model_->modelWidths();
    for (size_t i = 0; i < widths.size(); ++i) {
        const double width = widths[i];
        QAction* action = menu->addAction(tr("Set %1 to width %2").arg(target, widthText(width)),
                                          this, [this, width] { setSelectedWidth(width); });
        if (i < 9)
            action->setShortcut(QKeySequence(Qt::Key_1 + static_cast<int>(i)));
        action->setEnabled(mode_ == EditMode::Paint);
    }
    menu->addSeparator();
    menu->addAction(tr("Select all"), this, [this] { setSelection(0, model_->steps() - 1); });
    menu->addAction(tr("Clear selection"), this, [this] { clearSelection(); })
        ->setEnabled(hasSelection());
}

QSize ScheduleTimeline::sizeHint() const
{
    const int line = fontMetrics().height();
    return {720, std::max(240, line * 16)};
}

QSize ScheduleTimeline::minimumSizeHint() const
{
    const int line = fontMetrics().height();
    return {240, line * 9};
}

bool ScheduleTimeline::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const TimelineLayout geometry = layout();
        if (model_ && geometry.plot().contains(help->pos()))
            QToolTip::showText(help->globalPos(), describeStep(geometry.stepAt(help->pos().x())),
                               this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void ScheduleTimeline::mousePressEvent(QMouseEvent* event)
{
    if (!model_ || drag_ != Drag::None)
        return;
    const QPointF pos = event->position();
    const TimelineLayout geometry = layout();
    const int step = geometry.stepAt(pos.x());
    // A little slack so that the ends and the edge bands are easy to hit.
    if (!geometry.plot().adjusted(-4, -4, 4, 4).contains(pos))
        return;

    if (mode_ == EditMode::Importance) {
        if (event->button() != Qt::LeftButton)
            return;
        if ((dragIndex_ = handleAt(pos)) >= 0)
            drag_ = Drag::Handle;
        else if ((dragIndex_ = thresholdAt(pos)) >= 0)
            drag_ = Drag::Threshold;
        else
            return;
        dragId_ = model_->beginDrag();
        return;
    }

    const bool select = event->button() == Qt::RightButton
                        || (event->button() == Qt::LeftButton
                            && event->modifiers().testFlag(Qt::ShiftModifier));
    if (select) {
        drag_ = Drag::Select;
        rightButtonDrag_ = event->button() == Qt::RightButton;
        lastDragStep_ = step;
        selectionAnchor_ = step;
        // A right click inside the selection keeps it for the menu.
        if (!(rightButtonDrag_ && hasSelection() && step >= selectionFirst_
              && step <= selectionLast_))
            setSelection(step, step);
        setCursorStep(step);
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    drag_ = Drag::Paint;
    dragId_ = model_->beginDrag();
    clearSelection();
    setCursorStep(step);
    model_->setStepRangeWidth(step, step, widthAt(pos.y()), dragId_);
    lastDragStep_ = step;
    lastDragPos_ = pos;
}

void ScheduleTimeline::mouseMoveEvent(QMouseEvent* event)
{
    const QPointF pos = event->position();
    const TimelineLayout geometry = layout();
    setHoveredStep(model_ && geometry.plot().contains(pos) ? geometry.stepAt(pos.x()) : -1);
    if (!model_)
        return;

    switch (drag_) {
    case Drag::None:
        return;
    case Drag::Paint:
        paintAlong(lastDragPos_, pos);
        lastDragPos_ = pos;
        return;
    case Drag::Select: {
        const int step = geometry.stepAt(pos.x());
        if (step == lastDragStep_)
            return;
        lastDragStep_ = step;
        setSelection(selectionAnchor_, step);
        setCursorStep(step);
        return;
    }
    case Drag::Handle:
        dragHandleTo(pos.y());
        return;
    case Drag::Threshold:
        dragThresholdTo(pos.y());
        return;
    }
}

void ScheduleTimeline::paintAlong(const QPointF& from, const QPointF& to)
{
    // Mouse events come sparsely on a fast drag: every step between the two
    // positions gets the level under the straight line joining them, so the
    // stroke has no gaps.
    const TimelineLayout geometry = layout();
    const std::vector<double>& widths = model_->modelWidths();
    const int fromStep = geometry.stepAt(from.x());
    const int toStep = geometry.stepAt(to.x());
    const int direction = toStep >= fromStep ? 1 : -1;
    const auto levelAtStep = [&](int step) {
        if (fromStep == toStep)
            return geometry.levelAt(to.y());
        const double x = std::clamp(geometry.xForStep(step), std::min(from.x(), to.x()),
                                    std::max(from.x(), to.x()));
        const double along = (x - from.x()) / (to.x() - from.x());
        return geometry.levelAt(from.y() + along * (to.y() - from.y()));
    };
    // The starting step was painted by the previous event unless the cursor
    // stays on it.
    int runStart = fromStep == toStep ? toStep : fromStep + direction;
    int runLevel = levelAtStep(runStart);
    for (int step = runStart;; step += direction) {
        const bool last = step == toStep;
        const int level = last ? runLevel : levelAtStep(step + direction);
        if (last || level != runLevel) {
            model_->setStepRangeWidth(runStart, step, widths[static_cast<size_t>(runLevel)], dragId_);
            runStart = step + direction;
            runLevel = level;
        }
        if (last)
            break;
    }
    lastDragStep_ = toStep;
}

void ScheduleTimeline::mouseReleaseEvent(QMouseEvent* event)
{
    const Drag finished = drag_;
    drag_ = Drag::None;
    dragIndex_ = -1;
    if (finished == Drag::Select && rightButtonDrag_ && event->button() == Qt::RightButton) {
        rightButtonDrag_ = false;
        if (!hasSelection())
            setSelection(lastDragStep_, lastDragStep_);
        showContextMenu(event->globalPosition().toPoint());
    }
    if (finished == Drag::Handle || finished == Drag::Threshold)
        update();
}

void ScheduleTimeline::leaveEvent(QEvent* event)
{
    setHoveredStep(-1);
    QWidget::leaveEvent(event);
}

void ScheduleTimeline::keyPressEvent(QKeyEvent* event)
{
    if (!model_) {
        QWidget::keyPressEvent(event);
        return;
    }
    const int n = model_->steps();
    const bool extend = event->modifiers().testFlag(Qt::ShiftModifier);
    const auto moveCursor = [&](int step) {
        step = std::clamp(step, 0, n - 1);
        if (extend) {
            if (selectionAnchor_ < 0)
                selectionAnchor_ = hasSelection() ? selectionFirst_ : cursor_;
            setSelection(selectionAnchor_, step);
        } else {
            clearSelection();
        }
        setCursorStep(step);
    };

    if (event->matches(QKeySequence::SelectAll)) {
        selectionAnchor_ = 0;
        setSelection(0, n - 1);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Left:
        moveCursor(cursor_ - 1);
        return;
    case Qt::Key_Right:
        moveCursor(cursor_ + 1);
        return;
    case Qt::Key_Home:
        moveCursor(0);
        return;
    case Qt::Key_End:
        moveCursor(n - 1);
        return;
    case Qt::Key_Escape:
        clearSelection();
        return;
    case Qt::Key_Up:
    case Qt::Key_Down: {
        if (mode_ != EditMode::Paint)
            break;
        const int level = levelOfWidth(model_->stepWidth(cursor_))
                          + (event->key() == Qt::Key_Up ? -1 : 1);
        if (level >= 0 && level < levelCount())
            model_->setStepRangeWidth(cursor_, cursor_,
                                      model_->modelWidths()[static_cast<size_t>(level)]);
        return;
    }
    default:
        break;
    }
    const int digit = event->key() - Qt::Key_1;
    if (mode_ == EditMode::Paint && digit >= 0 && digit < std::min(levelCount(), 9)
        && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        setSelectedWidth(model_->modelWidths()[static_cast<size_t>(digit)]);
        return;
    }
    QWidget::keyPressEvent(event);
}

void ScheduleTimeline::contextMenuEvent(QContextMenuEvent* event)
{
    // Right-button mouse menus open on release (after a possible range drag);
    // this handles the keyboard's menu key.
    if (event->reason() == QContextMenuEvent::Keyboard && model_) {
        const TimelineLayout geometry = layout();
        showContextMenu(mapToGlobal(QPointF(geometry.xForStep(cursor_), geometry.plot().center().y())
                                        .toPoint()));
    }
    event->accept();
}

void ScheduleTimeline::showContextMenu(const QPoint& globalPos)
{
    QMenu menu(this);
    populateContextMenu(&menu);
    menu.exec(globalPos);
}

void ScheduleTimeline::setHoveredStep(int step)
{
    if (step == hovered_)
        return;
    hovered_ = step;
    emit hoveredStepChanged(step);
    emit hoverTextChanged(describeStep(step));
}

int ScheduleTimeline::handleAt(const QPointF& pos) const
{
    if (!model_)
        return -1;
    const double radius = std::max(8.0, fontMetrics().height() * 0.6);
    int best = -1;
    double bestDistance = radius;
    for (int i = 0; i < static_cast<int>(model_->importanceCurve().points.size()); ++i) {
        const QPointF d = handlePosition(i) - pos;
        const double distance = std::hypot(d.x(), d.y());
        if (distance <= bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

int ScheduleTimeline::thresholdAt(const QPointF& pos) const
{
    if (!model_)
        return -1;
    int best = -1;
    double bestDistance = 5.0;
    for (int i = 0; i < static_cast<int>(model_->importanceCurve().thresholds.size()); ++i) {
        const double distance = std::abs(yForThreshold(i) - pos.y());
        if (distance <= bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

void ScheduleTimeline::dragHandleTo(double y)
{
    ImportanceCurve curve = model_->importanceCurve();
    curve.points.at(static_cast<size_t>(dragIndex_)) = layout().importanceAt(y);
    model_->setImportanceCurve(curve, dragId_, tr("Move importance handle"));
}

void ScheduleTimeline::dragThresholdTo(double y)
{
    ImportanceCurve curve = model_->importanceCurve();
    std::vector<double>& thresholds = curve.thresholds;
    const size_t i = static_cast<size_t>(dragIndex_);
    const double upper = i == 0 ? 1.0 : thresholds[i - 1];
    const double lower = i + 1 == thresholds.size() ? 0.0 : thresholds[i + 1];
    if (upper - lower <= 2 * kThresholdGap)
        return;
    thresholds[i] = std::clamp(layout().importanceAt(y), lower + kThresholdGap, upper - kThresholdGap);
    model_->setImportanceCurve(curve, dragId_, tr("Move importance threshold"));
}

void ScheduleTimeline::onModelReset()
{
    cursor_ = 0;
    selectionAnchor_ = -1;
    selectionFirst_ = selectionLast_ = -1;
    drag_ = Drag::None;
    updateGeometry();
    update();
}

void ScheduleTimeline::onStepsChanged()
{
    const int n = model_ ? model_->steps() : 1;
    drag_ = Drag::None;
    cursor_ = std::clamp(cursor_, 0, n - 1);
    if (hasSelection()) {
        if (selectionFirst_ >= n)
            clearSelection();
        else
            setSelection(selectionFirst_, std::min(selectionLast_, n - 1));
    }
    update();
}

void ScheduleTimeline::onScheduleChanged()
{
    // In importance mode the curve follows schedules made elsewhere (a preset,
    // an import, an undo of a paint stroke) so that the next handle drag
    // starts from them.
    if (mode_ == EditMode::Importance && drag_ == Drag::None && model_
        && !model_->scheduleMatchesCurve())
        model_->fitImportanceCurveToSchedule();
    if (hovered_ >= 0)
        emit hoverTextChanged(describeStep(hovered_));
    update();
}

}  // namespace ddsm::ui
