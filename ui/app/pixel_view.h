#pragma once
// Shows an image enlarged by a whole factor (nearest neighbour) so that pixels
// stay sharp and panes of equal size line up pixel for pixel. Reports clicks
// in image coordinates.
#include <QImage>
#include <QWidget>

namespace ddsm::ui {

class PixelView : public QWidget {
    Q_OBJECT
public:
    explicit PixelView(QWidget* parent = nullptr);

    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    void setPlaceholder(const QString& text);
    // The whole enlargement used now (>= 1 unless the widget is smaller than the image).
    int scale() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void clickedAt(const QPoint& imagePixel);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRect targetRect() const;

    QImage image_;
    QString placeholder_;
};

}  // namespace ddsm::ui
