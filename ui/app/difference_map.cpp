#include "difference_map.h"

#include "image_conversion.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace ddsm::ui {

DifferenceMap differenceMap(const QImage& a, const QImage& b)
{
    DifferenceMap result;
    if (a.isNull() || a.size() != b.size())
        return result;
    cv::Mat diff;
    cv::absdiff(matFromQImage(a), matFromQImage(b.convertToFormat(a.format())), diff);
    if (diff.channels() > 1) {
        std::vector<cv::Mat> planes;
        cv::split(diff, planes);
        diff = planes[0];
        for (size_t i = 1; i < planes.size(); ++i)
            diff = cv::max(diff, planes[i]);
    }
    double maxValue = 0;
    cv::minMaxLoc(diff, nullptr, &maxValue);
    result.maxDiff = int(maxValue);
    result.meanDiff = cv::mean(diff)[0];
    cv::Mat scaled;
    diff.convertTo(scaled, CV_8U, maxValue > 0 ? 255.0 / maxValue : 0.0);
    cv::Mat heat;
    cv::applyColorMap(scaled, heat, cv::COLORMAP_INFERNO);
    result.heat = qimageFromMat(heat);
    return result;
}

}  // namespace ddsm::ui

namespace ddsm::ui {

QImage differenceColourRamp()
{
    cv::Mat ramp(1, 256, CV_8UC1);
    for (int i = 0; i < 256; ++i)
        ramp.at<uchar>(0, i) = uchar(i);
    cv::Mat heat;
    cv::applyColorMap(ramp, heat, cv::COLORMAP_INFERNO);
    return qimageFromMat(heat);
}

}  // namespace ddsm::ui
