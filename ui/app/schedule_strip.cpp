#include "schedule_strip.h"

#include "timeline/schedule_document_model.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

ScheduleStrip::ScheduleStrip(ScheduleDocumentModel* document, QWidget* parent) : QWidget(parent), document_(document)
{
    setMinimumHeight(80);
    connect(document_, &ScheduleDocumentModel::scheduleChanged, this, qOverload<>(&QWidget::update));
    connect(document_, &ScheduleDocumentModel::stepsChanged, this, qOverload<>(&QWidget::update));
    connect(document_, &ScheduleDocumentModel::modelChanged, this, qOverload<>(&QWidget::update));
}

void ScheduleStrip::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const auto widths = document_->stepWidths();
    if (widths.empty())
        return;
    const double barWidth = double(width()) / double(widths.size());
    for (size_t i = 0; i < widths.size(); ++i) {
        const double h = widths[i] * (height() - 4);
        painter.fillRect(QRectF(i * barWidth, height() - h, std::max(1.0, barWidth - 1), h), QColor(70, 130, 180));
    }
    painter.setPen(palette().text().color());
    painter.drawText(rect().adjusted(4, 2, -4, -2), Qt::AlignTop | Qt::AlignLeft, tr("noise (t = %1)").arg(document_->T() - 1));
    painter.drawText(rect().adjusted(4, 2, -4, -2), Qt::AlignTop | Qt::AlignRight, tr("image (t = 0)"));
}

void ScheduleStrip::mousePressEvent(QMouseEvent* event)
{
    dragId_ = document_->beginDrag();
    paintAt(event->position());
}

void ScheduleStrip::mouseMoveEvent(QMouseEvent* event)
{
    if (event->buttons() & Qt::LeftButton)
        paintAt(event->position());
}

void ScheduleStrip::paintAt(const QPointF& pos)
{
    const auto& levels = document_->modelWidths();
    if (levels.empty() || document_->steps() < 1)
        return;
    const int step = std::clamp(int(pos.x() / width() * document_->steps()), 0, document_->steps() - 1);
    const double wanted = 1.0 - pos.y() / height();
    // The nearest of the model's widths.
    double best = levels.front();
    for (double w : levels)
        if (std::abs(w - wanted) < std::abs(best - wanted))
            best = w;
    document_->setStepRangeWidth(step, step, best, dragId_);
}

}  // namespace ddsm::ui
