#pragma once
// Between OpenCV's 8-bit images (BGR order) and QImage, copying the pixels.
#include <QImage>

namespace cv {
class Mat;
}

namespace ddsm::ui {

// CV_8UC1 -> Grayscale8, CV_8UC3 (BGR) -> RGB888; anything else gives a null image.
QImage qimageFromMat(const cv::Mat& mat);
// Grayscale8 stays one channel; everything else becomes 3-channel BGR.
cv::Mat matFromQImage(const QImage& image);

}  // namespace ddsm::ui
