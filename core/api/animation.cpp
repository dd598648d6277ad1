// Frames as an MP4 clip or numbered PNGs (io/video.h), for callers that hold
// plain 8-bit pixels.
#include "api/ddsm_api.h"

#include "base/error.h"
#include "io/video.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>

namespace ddsm::api {

namespace {

// Grey stays one channel; RGB becomes the BGR order OpenCV writes.
cv::Mat matOf(const Image8& image, size_t index)
{
    if ((image.channels != 1 && image.channels != 3) || image.width < 1 || image.height < 1 ||
        image.pixels.size() != size_t(image.width) * size_t(image.height) * size_t(image.channels))
        throw Error("animation frame " + std::to_string(index) + ": expected " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " pixels of 1 or 3 channels, got " +
                    std::to_string(image.pixels.size()) + " bytes for " + std::to_string(image.channels) +
                    " channels");
    const cv::Mat view(image.height, image.width, image.channels == 1 ? CV_8UC1 : CV_8UC3,
                       const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat mat;
    if (image.channels == 3)
        cv::cvtColor(view, mat, cv::COLOR_RGB2BGR);
    else
        mat = view.clone();
    return mat;
}

bool endsWithMp4(const std::string& path)
{
    if (path.size() < 4)
        return false;
    std::string suffix = path.substr(path.size() - 4);
    std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return suffix == ".mp4";
}

}  // namespace

void writeAnimation(const AnimationOptions& options)
{
    std::vector<cv::Mat> mats;
    for (size_t i = 0; i < options.frames.size(); ++i)
        mats.push_back(matOf(options.frames[i], i));
    if (endsWithMp4(options.path))
        writeMp4(options.path, mats, options.framesPerSecond);
    else
        writePngFrames(options.path, mats);
}

}  // namespace ddsm::api
