#pragma once
// Where two pixel-aligned images differ: |a - b| (largest over colour
// channels) through OpenCV's inferno colour map, scaled so that the largest
// difference is the brightest colour.
#include <QImage>

namespace ddsm::ui {

struct DifferenceMap {
    QImage heat;      // RGB, same size as the inputs; null if they do not match
    int maxDiff = 0;  // 0-255: the grey-level difference the brightest colour stands for
    double meanDiff = 0;
};

DifferenceMap differenceMap(const QImage& a, const QImage& b);

}  // namespace ddsm::ui

namespace ddsm::ui {

// The colour map of differenceMap as a 1 x 256 RGB image, index = scaled difference.
QImage differenceColourRamp();

}  // namespace ddsm::ui
