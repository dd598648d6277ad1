#include "image_conversion.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace ddsm::ui {

QImage qimageFromMat(const cv::Mat& mat)
{
    if (mat.empty() || mat.depth() != CV_8U)
        return {};
    if (mat.channels() == 1)
        return QImage(mat.data, mat.cols, mat.rows, int(mat.step), QImage::Format_Grayscale8).copy();
    if (mat.channels() == 3)
        return QImage(mat.data, mat.cols, mat.rows, int(mat.step), QImage::Format_BGR888).copy();
    return {};
}

cv::Mat matFromQImage(const QImage& image)
{
    if (image.isNull())
        return {};
    if (image.format() == QImage::Format_Grayscale8) {
        cv::Mat view(image.height(), image.width(), CV_8UC1, const_cast<uchar*>(image.constBits()),
                     size_t(image.bytesPerLine()));
        return view.clone();
    }
    const QImage rgb = image.convertToFormat(QImage::Format_BGR888);
    cv::Mat view(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()), size_t(rgb.bytesPerLine()));
    return view.clone();
}

}  // namespace ddsm::ui
