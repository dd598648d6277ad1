#include "io/video.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace ddsm {

namespace {

// Frames as 8-bit BGR of one size, padded to even sides for the encoder.
std::vector<cv::Mat> prepareFrames(const std::string& path, const std::vector<cv::Mat>& frames)
{
    if (frames.empty())
        throw Error(path + ": no frames to write");
    const cv::Size size = frames.front().size();
    std::vector<cv::Mat> prepared;
    prepared.reserve(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        const cv::Mat& frame = frames[i];
        if (frame.empty() || frame.size() != size)
            throw Error(path + ": frame " + std::to_string(i) + " is empty or differs in size from frame 0");
        if (frame.type() != CV_8UC3 && frame.type() != CV_8UC1)
            throw Error(path + ": frame " + std::to_string(i) + " is not 8-bit BGR or grey");
        cv::Mat bgr;
        if (frame.type() == CV_8UC1)
            cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
        else
            bgr = frame;
        cv::copyMakeBorder(bgr, bgr, 0, size.height % 2, 0, size.width % 2, cv::BORDER_CONSTANT,
                           cv::Scalar::all(0));
        prepared.push_back(bgr);
    }
    return prepared;
}

}  // namespace

void writeMp4(const std::string& path, const std::vector<cv::Mat>& frames, double fps)
{
    if (!(fps > 0))
        throw Error(path + ": frame rate must be positive");
    const std::vector<cv::Mat> prepared = prepareFrames(path, frames);
    // The container is chosen from the extension, so the temporary keeps ".mp4".
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid()) + ".mp4";
    {
        cv::VideoWriter writer(temporary, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps,
                               prepared.front().size(), true);
        if (!writer.isOpened()) {
            std::remove(temporary.c_str());
            throw Error(path + ": cannot open an MP4 ('mp4v') video writer; this OpenCV has no "
                               "backend that encodes it");
        }
        for (const cv::Mat& frame : prepared)
            writer.write(frame);
    }  // the writer's destructor finishes the file
    std::error_code error;
    if (std::filesystem::file_size(temporary, error) == 0 || error) {
        std::remove(temporary.c_str());
        throw Error(path + ": the video writer produced no data");
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::remove(temporary.c_str());
        throw Error("cannot replace " + path + ": " + error.message());
    }
}

std::vector<std::string> writePngFrames(const std::string& directory,
                                        const std::vector<cv::Mat>& frames)
{
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error)
        throw Error("cannot create " + directory + ": " + error.message());
    const int digits = std::max<int>(5, static_cast<int>(std::to_string(frames.empty() ? 0 : frames.size() - 1).size()));
    std::vector<std::string> paths;
    paths.reserve(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        std::string number = std::to_string(i);
        number.insert(0, size_t(digits) > number.size() ? size_t(digits) - number.size() : 0, '0');
        const std::string name = "frame_" + number + ".png";
        const std::string path = (std::filesystem::path(directory) / name).string();
        std::vector<uchar> encoded;
        bool ok = false;
        try {
            ok = !frames[i].empty() && cv::imencode(".png", frames[i], encoded);
        } catch (const cv::Exception&) {
            ok = false;
        }
        if (!ok)
            throw Error(path + ": cannot encode frame " + std::to_string(i) + " as PNG");
        writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(encoded.data()),
                                                   encoded.size()));
        paths.push_back(path);
    }
    return paths;
}

}  // namespace ddsm
