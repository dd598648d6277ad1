#pragma once
// The difference map of two compare panes, as large as the panes, with a
// colour bar that says what its colours mean in grey levels (0-255).
#include "difference_map.h"

#include <QWidget>

namespace ddsm::ui {

class PixelView;

class DifferenceView : public QWidget {
    Q_OBJECT
public:
    explicit DifferenceView(QWidget* parent = nullptr);

    void setMap(const DifferenceMap& map);
    const QImage& image() const;
    PixelView* view() const { return view_; }
    // The grey-level difference the top of the colour bar stands for (0: no map).
    int scaleMax() const { return maxDiff_; }

private:
    class ColourBar;
    PixelView* view_;
    ColourBar* bar_;
    int maxDiff_ = 0;
};

}  // namespace ddsm::ui
