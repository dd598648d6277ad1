#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic
// 0x000008DD = unsigned bytes in DD dimensions, then one u32 size per
// dimension) followed by exactly that many bytes, row-major. Files may be
// gzip-compressed or raw: zlib recognises the gzip magic (1f 8b) and reads
// anything else as it is.
#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

inline constexpr uint32_t kIdxImagesMagic = 0x00000803;  // u8, N x rows x cols
inline constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // u8, N

struct IdxImages {
    int64_t count = 0;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<uint8_t> pixels;  // count * rows * cols bytes, image by image, row-major
};

struct IdxLabels {
    std::vector<uint8_t> labels;  // one byte per item
};

struct IdxLabelledImages {
    IdxImages images;
    IdxLabels labels;
};

// Each throws ddsm::Error naming the file when it cannot be opened, has the
// wrong magic or a zero dimension, or holds more or fewer bytes than its
// header promises (the message gives both counts).
IdxImages readIdxImages(const std::string& path);
IdxLabels readIdxLabels(const std::string& path);

// Reads both files and checks that there is one label per image.
IdxLabelledImages readIdxLabelledImages(const std::string& imagesPath, const std::string& labelsPath);

}  // namespace ddsm
