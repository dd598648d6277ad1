#pragma once
// The schedule timeline editor: sampler steps left (noise) to right (image),
// width levels as bands (largest on top), each step a bar at its width. Edit
// by painting with the mouse, by keyboard, by range selection, or by dragging
// an importance curve and its thresholds. Every edit goes through the
// ScheduleDocumentModel's undo stack; the widget never runs a network.
//
// Mouse (paint mode): left-drag paints the width level under the cursor onto
// every step it passes; Shift+left-drag or right-drag selects a range, and a
// right-button release opens the width menu for it.
// Keys: Left/Right move the step cursor (with Shift: extend the selection),
// Home/End jump to the ends, Up/Down widen/narrow the cursor step, 1..9 set
// the selection (or the cursor step) to the n-th largest width, Ctrl+A selects
// all, Escape clears the selection.
// Importance mode: drag a handle (vertically) or a threshold line; the
// schedule follows StepSchedule::fromImportance.
#include "timeline/timeline_layout.h"

#include <QPointer>
#include <QWidget>

#include <vector>

class QMenu;

namespace ddsm::ui {

class ScheduleDocumentModel;

class ScheduleTimeline final : public QWidget {
    Q_OBJECT

public:
    enum class EditMode { Paint, Importance };
    Q_ENUM(EditMode)

    explicit ScheduleTimeline(QWidget* parent = nullptr);

    // Not owned; the timeline follows its signals.
    void setModel(ScheduleDocumentModel* model);
    ScheduleDocumentModel* model() const { return model_; }

    EditMode editMode() const { return mode_; }
    // Switching keeps the schedule; entering importance mode moves the curve
    // to the current schedule (see ScheduleDocumentModel::fitImportanceCurveToSchedule).
    void setEditMode(EditMode mode);

    // A measured importance per training timestep (index = t), drawn as a thin
    // normalised line over the steps; an empty vector removes it.
    void setImportanceOverlay(std::vector<double> perTimestep, const QString& label);
    const std::vector<double>& importanceOverlay() const { return overlay_; }

    // Geometry, in widget coordinates (for painting, hit testing and tests).
    TimelineLayout layout() const;
    double xForStep(int step) const { return layout().xForStep(step); }
    int stepAt(double x) const { return layout().stepAt(x); }
    // The centre of the band of the model width nearest to `width`.
    double yForWidth(double width) const;
    double widthAt(double y) const;
    QPointF handlePosition(int index) const;
    double yForThreshold(int index) const;

    int cursorStep() const { return cursor_; }
    void setCursorStep(int step);
    // -1, -1 when nothing is selected; otherwise first <= last.
    int selectionFirst() const { return selectionFirst_; }
    int selectionLast() const { return selectionLast_; }
    bool hasSelection() const { return selectionFirst_ >= 0; }
    void setSelection(int first, int last);
    void clearSelection();
    // Sets the selected steps (or the cursor step when nothing is selected).
    void setSelectedWidth(double width);

    // "step 12 of 50 · t = 755 · width 0.5" (steps count from 0 at the noise end).
    QString describeStep(int step) const;
    // Adds "Set width" actions for the selection, select all and clear.
    void populateContextMenu(QMenu* menu);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void hoveredStepChanged(int step);  // -1 when the mouse leaves the steps
    void hoverTextChanged(const QString& text);
    void selectionChanged(int first, int last);
    void cursorStepChanged(int step);
    void editModeChanged(ScheduleTimeline::EditMode mode);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    enum class Drag { None, Paint, Select, Handle, Threshold };

    void onModelReset();
    void onStepsChanged();
    void onScheduleChanged();
    void setHoveredStep(int step);
    void paintAlong(const QPointF& from, const QPointF& to);
    void showContextMenu(const QPoint& globalPos);
    int handleAt(const QPointF& pos) const;
    int thresholdAt(const QPointF& pos) const;
    void dragHandleTo(double y);
    void dragThresholdTo(double y);
    int levelCount() const;
    int levelOfWidth(double width) const;

    // Painting (schedule_timeline_paint.cpp).
    void paintBands(QPainter& painter, const TimelineLayout& layout) const;
    void paintBars(QPainter& painter, const TimelineLayout& layout) const;
    void paintSelectionAndCursor(QPainter& painter, const TimelineLayout& layout) const;
    void paintAxes(QPainter& painter, const TimelineLayout& layout) const;
    void paintLevelLabels(QPainter& painter, const TimelineLayout& layout) const;
    void paintOverlay(QPainter& painter, const TimelineLayout& layout) const;
    void paintImportanceCurve(QPainter& painter, const TimelineLayout& layout) const;
    // The schedule's name (or the importance mode's hint) over the plot's left end.
    QString titleText() const;

    QPointer<ScheduleDocumentModel> model_;
    EditMode mode_ = EditMode::Paint;
    std::vector<double> overlay_;
    QString overlayLabel_;

    int cursor_ = 0;
    int selectionFirst_ = -1;
    int selectionLast_ = -1;
    int selectionAnchor_ = -1;
    int hovered_ = -1;

    Drag drag_ = Drag::None;
    int dragId_ = -1;
    int lastDragStep_ = 0;
    QPointF lastDragPos_;
    int dragIndex_ = -1;  // the handle or threshold being dragged
    bool rightButtonDrag_ = false;
};

}  // namespace ddsm::ui
