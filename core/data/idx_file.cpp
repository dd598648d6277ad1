#include "data/idx_file.h"

#include "base/error.h"
#include "base/input_file.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <zlib.h>

namespace ddsm {

namespace {

std::string hex32(uint32_t value)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", value);
    return text;
}

std::string describeMagic(uint32_t magic)
{
    if (magic == kIdxImagesMagic)
        return "IDX images, u8 N x rows x cols";
    if (magic == kIdxLabelsMagic)
        return "IDX labels, u8 N";
    if ((magic >> 16) == 0)
        return "IDX data of type " + std::to_string((magic >> 8) & 0xFF) + " in "
               + std::to_string(magic & 0xFF) + " dimensions";
    return "not an IDX file";
}

uint32_t bigEndian32(const uint8_t* bytes)
{
    return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8)
           | uint32_t(bytes[3]);
}

// A file read through zlib's gz* API, closed on every path out.
class GzipOrRawReader {
public:
    explicit GzipOrRawReader(const std::string& path) : path_(path)
    {
        rejectFolder(path);
        errno = 0;
        file_ = gzopen(path.c_str(), "rb");
        if (!file_)
            throw Error("cannot open " + path + ": "
                        + (errno != 0 ? std::strerror(errno) : "out of memory"));
        gzbuffer(file_, 1 << 17);
    }
    ~GzipOrRawReader()
    {
        if (file_)
            gzclose(file_);
    }
    GzipOrRawReader(const GzipOrRawReader&) = delete;
    GzipOrRawReader& operator=(const GzipOrRawReader&) = delete;

    // Reads up to `size` bytes; fewer only at the end of the data.
    uint64_t read(uint8_t* destination, uint64_t size)
    {
        uint64_t total = 0;
        while (total < size) {
            const unsigned chunk = static_cast<unsigned>(std::min<uint64_t>(size - total, 1u << 30));
            const int n = gzread(file_, destination + total, chunk);
            if (n < 0)
                throw Error(path_ + ": " + errorText());
            if (n == 0)
                break;
            total += static_cast<uint64_t>(n);
        }
        return total;
    }

    // Counts (and discards) what is left.
    uint64_t skipToEnd()
    {
        std::vector<uint8_t> scratch(1 << 16);
        uint64_t total = 0;
        while (const uint64_t n = read(scratch.data(), scratch.size()))
            total += n;
        return total;
    }

    bool compressed() { return gzdirect(file_) == 0; }

    // zlib reports a gzip stream cut short only here.
    void close()
    {
        const int status = gzclose(file_);
        file_ = nullptr;
        if (status == Z_BUF_ERROR)
            throw Error(path_ + ": truncated: the gzip stream ends before its end marker");
        if (status != Z_OK)
            throw Error(path_ + ": read error (zlib status " + std::to_string(status) + ")");
    }

private:
    std::string errorText()
    {
        int code = Z_OK;
        const char* message = gzerror(file_, &code);
        if (code == Z_ERRNO)
            return std::strerror(errno);
        if (code == Z_DATA_ERROR)
            return std::string("corrupt gzip data: ") + message;
        return message;
    }

    std::string path_;
    gzFile file_ = nullptr;
};

std::string shapeText(const std::vector<uint32_t>& dims)
{
    std::string text;
    for (size_t i = 0; i < dims.size(); ++i)
        text += (i ? " x " : "") + std::to_string(dims[i]);
    return text;
}

struct IdxContents {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;
};

IdxContents readIdx(const std::string& path, uint32_t expectedMagic)
{
    GzipOrRawReader reader(path);

    uint8_t word[4];
    const uint64_t magicBytes = reader.read(word, 4);
    if (magicBytes < 4)
        throw Error(path + ": truncated: " + std::to_string(magicBytes)
                    + " bytes, too short for an IDX header");
    const uint32_t magic = bigEndian32(word);
    if (magic != expectedMagic)
        throw Error(path + ": wrong magic number: expected " + hex32(expectedMagic) + " ("
                    + describeMagic(expectedMagic) + "), found " + hex32(magic) + " ("
                    + describeMagic(magic) + ")");

    IdxContents contents;
    const uint32_t dimensionCount = magic & 0xFF;
    const uint64_t headerBytes = 4 + 4 * uint64_t(dimensionCount);
    uint64_t expectedBytes = 1;
    for (uint32_t i = 0; i < dimensionCount; ++i) {
        if (reader.read(word, 4) < 4)
            throw Error(path + ": truncated: the file ends inside its " + std::to_string(headerBytes)
                        + "-byte header");
        const uint32_t size = bigEndian32(word);
        if (size == 0)
            throw Error(path + ": dimension " + std::to_string(i) + " of the header is zero");
        contents.dims.push_back(size);
        // Guards the product against overflow; no IDX data set comes near 2^40 bytes.
        if (expectedBytes > (uint64_t(1) << 40) / size)
            throw Error(path + ": implausible header dimensions " + shapeText(contents.dims));
        expectedBytes *= size;
    }

    // Grows with the data that arrives, in steps doubling from 64 KiB to
    // 16 MiB, so a corrupt header over a short file costs neither a huge
    // allocation nor the zeroing of a large one.
    std::vector<uint8_t>& data = contents.data;
    uint64_t received = 0;
    uint64_t step = uint64_t(1) << 16;
    while (received < expectedBytes) {
        const uint64_t want = std::min<uint64_t>(expectedBytes - received, step);
        data.resize(received + want);
        const uint64_t got = reader.read(data.data() + received, want);
        received += got;
        if (got < want)
            break;
        step = std::min<uint64_t>(step * 2, uint64_t(1) << 24);
    }
    data.resize(received);
    const uint64_t trailing = received == expectedBytes ? reader.skipToEnd() : 0;
    const std::string after = reader.compressed() ? " after decompression" : "";
    if (received < expectedBytes)
        throw Error(path + ": truncated: the header promises " + std::to_string(expectedBytes)
                    + " bytes of data (" + shapeText(contents.dims) + ") after its "
                    + std::to_string(headerBytes) + "-byte header, but found only "
                    + std::to_string(received) + after);
    if (trailing > 0)
        throw Error(path + ": the header promises " + std::to_string(expectedBytes)
                    + " bytes of data (" + shapeText(contents.dims) + "), but found "
                    + std::to_string(expectedBytes + trailing) + after);
    reader.close();
    return contents;
}

}  // namespace

IdxImages readIdxImages(const std::string& path)
{
    IdxContents contents = readIdx(path, kIdxImagesMagic);
    IdxImages images;
    images.count = contents.dims[0];
    images.rows = contents.dims[1];
    images.cols = contents.dims[2];
    images.pixels = std::move(contents.data);
    return images;
}

IdxLabels readIdxLabels(const std::string& path)
{
    return IdxLabels{readIdx(path, kIdxLabelsMagic).data};
}

IdxLabelledImages readIdxLabelledImages(const std::string& imagesPath, const std::string& labelsPath)
{
    IdxLabelledImages result{readIdxImages(imagesPath), readIdxLabels(labelsPath)};
    const auto labelCount = static_cast<int64_t>(result.labels.labels.size());
    if (labelCount != result.images.count)
        throw Error("image and label files disagree: " + imagesPath + " holds "
                    + std::to_string(result.images.count) + " images but " + labelsPath
                    + " holds " + std::to_string(labelCount) + " labels");
    return result;
}

}  // namespace ddsm
