#include "pixel_view.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace ddsm::ui {

PixelView::PixelView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PixelView::setImage(const QImage& image)
{
    image_ = image;
    update();
}

void PixelView::setPlaceholder(const QString& text)
{
    placeholder_ = text;
    update();
}

int PixelView::scale() const
{
    if (image_.isNull())
        return 1;
    return std::max(1, std::min(width() / image_.width(), height() / image_.height()));
}

QRect PixelView::targetRect() const
{
    const int s = scale();
    QSize size = image_.size() * s;
    if (size.width() > width() || size.height() > height())
        size = image_.size().scaled(this->size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - size.width()) / 2, (height() - size.height()) / 2), size);
}

// Constant, whatever the image: a new frame must not move the docks.
QSize PixelView::sizeHint() const { return {240, 240}; }
QSize PixelView::minimumSizeHint() const { return {96, 96}; }

void PixelView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window().color().darker(115));
    if (image_.isNull()) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(targetRect(), image_);
}

void PixelView::mousePressEvent(QMouseEvent* event)
{
    const QRect target = targetRect();
    if (image_.isNull() || !target.contains(event->position().toPoint()))
        return;
    const QPointF local = event->position() - target.topLeft();
    emit clickedAt(QPoint(int(local.x() * image_.width() / target.width()),
                          int(local.y() * image_.height() / target.height())));
}

}  // namespace ddsm::ui
