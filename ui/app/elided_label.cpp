#include "elided_label.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <QStyle>
#include <QStyleOption>

#include <algorithm>

namespace ddsm::ui {

ElidedLabel::ElidedLabel(const QString& text, int lines, int minChars, QWidget* parent)
    : QLabel(parent), lines_(std::max(1, lines)), minChars_(std::max(1, minChars))
{
    // Ignored: the layout gives what room there is; the text never asks for more.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    setText(text);
}

void ElidedLabel::setText(const QString& text)
{
    QLabel::setText(text);  // sizeHint does not depend on it: no relayout
}

bool ElidedLabel::event(QEvent* event)
{
    // An elided text shows in full in the tooltip, above any tooltip of its own.
    if (event->type() == QEvent::ToolTip && elided_) {
        const QString own = toolTip();
        QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(),
                           own.isEmpty() ? QLabel::text() : QLabel::text() + QStringLiteral("\n\n") + own, this);
        return true;
    }
    return QLabel::event(event);
}

QSize ElidedLabel::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const QMargins m = contentsMargins();
    return {fm.averageCharWidth() * minChars_ * 2 + m.left() + m.right(),
            fm.lineSpacing() * lines_ + m.top() + m.bottom() + 2};
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const QMargins m = contentsMargins();
    return {fm.averageCharWidth() * minChars_ + m.left() + m.right(), sizeHint().height()};
}

void ElidedLabel::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QRect area = contentsRect();
    const QFontMetrics fm = fontMetrics();
    const QStringList paragraphs = QLabel::text().split(QLatin1Char('\n'));
    int y = area.top();
    elided_ = paragraphs.size() > lines_;
    // Each line of the text gets a row; the last row takes what is left, elided.
    for (int row = 0; row < lines_ && row < paragraphs.size(); ++row) {
        QString line = row + 1 == lines_ ? paragraphs.mid(row).join(QStringLiteral(" · ")) : paragraphs[row];
        const QString shown = fm.elidedText(line, Qt::ElideRight, area.width());
        elided_ = elided_ || shown != line;
        line = shown;
        const QRect rowRect(area.left(), y, area.width(), fm.lineSpacing());
        style()->drawItemText(&painter, rowRect, int(alignment() & Qt::AlignHorizontal_Mask) | Qt::AlignVCenter, palette(),
                              isEnabled(), line, foregroundRole());
        y += fm.lineSpacing();
    }
}

}  // namespace ddsm::ui
