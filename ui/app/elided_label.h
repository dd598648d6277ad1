#pragma once
// A label whose text never sizes its window: it asks for a fixed number of
// lines and a small width, and elides what does not fit (the whole text is
// its tooltip). Status texts that change on hover, on every playback frame or
// with each batch of a measurement use it, so the docks stay where they are.
#include <QLabel>

namespace ddsm::ui {

class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    // `lines`: the height it always takes; `minChars`: the width it asks for.
    explicit ElidedLabel(const QString& text = QString(), int lines = 1, int minChars = 12, QWidget* parent = nullptr);

    // A slot like QLabel's; the whole text shows as a tooltip when elided.
    void setText(const QString& text);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    bool elided_ = false;
    int lines_;
    int minChars_;
};

}  // namespace ddsm::ui
