#pragma once
// Saving a sequence of frames (e.g. the denoising trajectory of a sample) as
// an MP4 clip or as numbered PNG files.
#include <string>
#include <vector>

namespace cv {
class Mat;
}

namespace ddsm {

// Encodes 8-bit BGR or grey frames of one size as MPEG-4 Part 2 ('mp4v') in an
// MP4 container through OpenCV's video writer. Odd widths or heights are padded
// by one black pixel (the encoder needs even sizes and OpenCV would otherwise
// crop silently). The file appears at `path` only once complete. Throws
// ddsm::Error if the frames are invalid or the writer cannot be opened (OpenCV
// built without a backend that encodes 'mp4v').
void writeMp4(const std::string& path, const std::vector<cv::Mat>& frames, double fps);

// Writes frame_00000.png, frame_00001.png, ... into `directory` (created if
// missing; more digits when there are more than 100000 frames). Returns the
// paths written, in order.
std::vector<std::string> writePngFrames(const std::string& directory,
                                        const std::vector<cv::Mat>& frames);

}  // namespace ddsm
