#pragma once
// Text key/value pairs inside PNG files, so that an exported image can restore
// the settings that made it (as A1111, ComfyUI and stable-diffusion.cpp do).
// Written as uncompressed UTF-8 iTXt chunks just before IEND; read back with
// libpng from iTXt, tEXt and zTXt chunks. Every chunk CRC is checked when
// reading, and a malformed text chunk is an error, not skipped.
#include <map>
#include <string>
#include <string_view>

namespace cv {
class Mat;
}

namespace ddsm {

// The key under which the app stores its generation settings, as a JSON
// document (schedule, sampler, model identity, seed).
inline constexpr char kPngSettingsKey[] = "ddsm-settings";

using PngText = std::map<std::string, std::string>;

// Keys must be 1-79 printable ASCII characters without leading, trailing or
// doubled spaces (the PNG keyword rules restricted to ASCII); values must be
// UTF-8. Violations throw ddsm::Error naming the key.

// Encodes `image` (any depth and channel count cv::imencode accepts for PNG,
// channels in OpenCV's BGR order) as PNG bytes carrying `text`.
std::string encodePngWithText(const cv::Mat& image, const PngText& text);

// encodePngWithText, saved atomically to `path`.
void writePngWithText(const std::string& path, const cv::Mat& image, const PngText& text);

// Adds `text` to existing PNG bytes (validated first); `name` labels errors.
std::string insertPngText(std::string_view png, const PngText& text,
                          const std::string& name = "PNG data");

// The text chunks of the PNG at `path`. Throws ddsm::Error naming the file for
// a bad signature, a truncated file, a CRC mismatch or a malformed text chunk.
// If a key appears twice, the later chunk wins.
PngText readPngText(const std::string& path);

// readPngText on bytes in memory; `name` labels errors.
PngText decodePngText(std::string_view png, const std::string& name = "PNG data");

}  // namespace ddsm
