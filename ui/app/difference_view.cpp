#include "difference_view.h"

#include "pixel_view.h"

#include <QHBoxLayout>
#include <QPainter>

namespace ddsm::ui {

// A vertical ramp, brightest at the top, labelled at both ends and the middle.
class DifferenceView::ColourBar : public QWidget {
public:
    ColourBar()
    {
        ramp_ = differenceColourRamp();
        setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
        setFixedWidth(18 + fontMetrics().horizontalAdvance(QStringLiteral("255 grey")) + 6);
        setToolTip(tr("|a − b| in grey levels (0-255), largest over the colour channels; "
                      "the brightest colour is the largest difference in the two panes"));
    }
    void setMax(int max)
    {
        max_ = max;
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        const int line = fontMetrics().height();
        const QRect bar(0, line / 2, 14, std::max(1, height() - line));
        if (max_ <= 0) {
            painter.fillRect(bar, palette().window().color().darker(115));
            return;
        }
        // Row 0 is the top: the largest difference.
        painter.drawImage(bar, ramp_.transformed(QTransform().rotate(-90)));
        painter.setPen(palette().windowText().color());
        painter.drawRect(bar.adjusted(0, 0, -1, -1));
        const auto label = [&](double fraction, const QString& text) {
            const int y = bar.bottom() - int(fraction * bar.height());
            painter.drawLine(bar.right(), y, bar.right() + 3, y);
            painter.drawText(QRect(bar.right() + 5, y - line / 2, width() - bar.right() - 5, line),
                             Qt::AlignLeft | Qt::AlignVCenter, text);
        };
        label(0.0, QStringLiteral("0"));
        label(0.5, QString::number(max_ / 2.0, 'g', 3));
        label(1.0, tr("%1 grey").arg(max_));
    }

private:
    QImage ramp_;
    int max_ = 0;
};

DifferenceView::DifferenceView(QWidget* parent) : QWidget(parent)
{
    view_ = new PixelView;
    view_->setPlaceholder(tr("|a − b| appears once both panes have frames"));
    bar_ = new ColourBar;
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(view_, 1);
    layout->addWidget(bar_);
}

void DifferenceView::setMap(const DifferenceMap& map)
{
    view_->setImage(map.heat);
    maxDiff_ = map.heat.isNull() ? 0 : map.maxDiff;
    bar_->setMax(maxDiff_);
}

const QImage& DifferenceView::image() const { return view_->image(); }

}  // namespace ddsm::ui
