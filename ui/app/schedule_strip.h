#pragma once
// A plain schedule editor for builds without the timeline library: one bar per
// sampler step (noise on the left), its height the step's width. Clicking or
// dragging sets the steps under the mouse to the width at the mouse height.
#include <QWidget>

namespace ddsm::ui {

class ScheduleDocumentModel;

class ScheduleStrip : public QWidget {
    Q_OBJECT
public:
    explicit ScheduleStrip(ScheduleDocumentModel* document, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {480, 120}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    void paintAt(const QPointF& pos);

    ScheduleDocumentModel* document_;
    int dragId_ = -1;
};

}  // namespace ddsm::ui
