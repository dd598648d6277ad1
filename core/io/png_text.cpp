#include "io/png_text.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <opencv2/imgcodecs.hpp>
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <vector>

namespace ddsm {

namespace {

constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr size_t kChunkFrameSize = 12;  // length, type, CRC
constexpr uint32_t kMaxChunkLength = 0x7fffffff;  // PNG spec limit
// A compressed text chunk may inflate far beyond its size; this bounds it
// (and any other chunk libpng holds in memory).
constexpr size_t kMaxInflatedText = 64u << 20;

struct TextChunk {
    std::string key;    // Latin-1, as stored
    std::string value;  // Latin-1 (tEXt, zTXt) or UTF-8 (iTXt)
    bool international = false;
};

// What one libpng pass over a file leaves behind. libpng reports errors by
// longjmp; everything that must survive one lives here, outside the frame
// that calls setjmp.
struct ReadState {
    std::string_view png;
    size_t position = 0;       // bytes handed to libpng so far
    std::string problem;       // why reading failed
    std::vector<unsigned char> row;
    std::vector<TextChunk> text;
};

void readBytes(png_structp png, png_bytep out, size_t size)
{
    auto& state = *static_cast<ReadState*>(png_get_io_ptr(png));
    const size_t left = state.png.size() - state.position;
    if (size > left) {
        state.problem = left == 0 ? "truncated at offset " + std::to_string(state.position) + " (no IEND chunk)"
                                  : "truncated at offset " + std::to_string(state.position) + ": " +
                                        std::to_string(size) + " bytes wanted, " + std::to_string(left) + " left";
        png_error(png, "truncated");  // longjmps; no C++ object of this frame is alive
    }
    std::copy_n(state.png.data() + state.position, size, out);
    state.position += size;
}

// libpng's chunk messages start with the chunk type: "iTXt: CRC error".
std::string describeLibpngError(const std::string& message, size_t position)
{
    const std::string crc = ": CRC error";
    if (message.size() == 4 + crc.size() && message.compare(4, crc.size(), crc) == 0)
        return "CRC mismatch in chunk \"" + message.substr(0, 4) + "\" ending at offset " + std::to_string(position);
    return "invalid PNG: " + message + " (at offset " + std::to_string(position) + ")";
}

void onError(png_structp png, png_const_charp message)
{
    auto& state = *static_cast<ReadState*>(png_get_error_ptr(png));
    if (state.problem.empty())
        state.problem = describeLibpngError(message, state.position);
    longjmp(png_jmpbuf(png), 1);
}

// libpng only warns about a malformed text chunk and drops it; settings
// stored in one must not silently vanish, so those warnings are errors here.
// Other warnings (e.g. a known-bad colour profile) do not stop the reader.
void onWarning(png_structp png, png_const_charp message)
{
    const std::string_view text(message);
    for (const char* type : {"tEXt: ", "zTXt: ", "iTXt: "})
        if (text.substr(0, 6) == type)
            png_error(png, message);
}

// Reads the whole file with libpng: every chunk's CRC, the image data and the
// text chunks before and after it. Returns false with state.problem set.
bool readWithLibpng(ReadState& state)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, onError, onWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        state.problem = "cannot initialise libpng";
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        return false;
    }
    png_set_read_fn(png, &state, readBytes);
    png_set_sig_bytes(png, int(kSignature.size()));
    state.position = kSignature.size();
    // A bad CRC in any chunk stops reading (libpng's default skips ancillary ones).
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_set_chunk_malloc_max(png, kMaxInflatedText);

    png_read_info(png, info);
    // The rows are decoded one at a time into one row buffer: the text after
    // the image can only be reached through it.
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    state.row.resize(png_get_rowbytes(png, info));
    const png_uint_32 height = png_get_image_height(png, info);
    for (int pass = 0; pass < passes; ++pass)
        for (png_uint_32 y = 0; y < height; ++y)
            png_read_row(png, state.row.data(), nullptr);
    png_read_end(png, info);

    png_textp text = nullptr;
    const int count = png_get_text(png, info, &text, nullptr);
    for (int i = 0; i < count; ++i) {
        const bool international = text[i].compression >= PNG_ITXT_COMPRESSION_NONE;
        const size_t length = international ? text[i].itxt_length : text[i].text_length;
        state.text.push_back({text[i].key, std::string(text[i].text ? text[i].text : "", length), international});
    }
    png_destroy_read_struct(&png, &info, nullptr);
    return true;
}

// The checked reading every entry point shares; returns the text chunks in
// file order and the offset of the IEND chunk.
std::vector<TextChunk> readPng(std::string_view png, const std::string& name, size_t* iendOffset = nullptr)
{
    if (png.empty())
        throw Error(name + ": file is empty, not a PNG");
    if (png.size() < kSignature.size() ||
        png_sig_cmp(reinterpret_cast<png_const_bytep>(png.data()), 0, kSignature.size()) != 0)
        throw Error(name + ": not a PNG file (bad signature)");
    ReadState state;
    state.png = png;
    if (!readWithLibpng(state))
        throw Error(name + ": " + state.problem);
    if (iendOffset)
        *iendOffset = state.position - kChunkFrameSize;  // libpng stops right after IEND
    return std::move(state.text);
}

std::string latin1ToUtf8(std::string_view latin1)
{
    std::string out;
    for (char c : latin1) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80) {
            out.push_back(c);
        } else {
            out.push_back(static_cast<char>(0xc0 | (b >> 6)));
            out.push_back(static_cast<char>(0x80 | (b & 0x3f)));
        }
    }
    return out;
}

bool isUtf8(std::string_view s)
{
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t extra = 0;
        uint32_t code = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            extra = 1;
            code = b & 0x1f;
        } else if ((b & 0xf0) == 0xe0) {
            extra = 2;
            code = b & 0x0f;
        } else if ((b & 0xf8) == 0xf0) {
            extra = 3;
            code = b & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size())
            return false;
        for (size_t k = 1; k <= extra; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80)
                return false;
            code = (code << 6) | (c & 0x3f);
        }
        // Overlong forms, surrogates and values beyond Unicode are not UTF-8.
        static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

void checkKey(const std::string& key)
{
    const bool lengthOk = !key.empty() && key.size() <= 79;
    bool charactersOk = lengthOk && key.front() != ' ' && key.back() != ' ';
    for (size_t i = 0; charactersOk && i < key.size(); ++i)
        charactersOk = key[i] >= 32 && key[i] <= 126 && !(key[i] == ' ' && key[i + 1] == ' ');
    if (!charactersOk)
        throw Error("PNG text key \"" + key +
                    "\" is invalid: use 1-79 printable ASCII characters, no outer or double spaces");
}

void appendBytes(png_structp png, png_bytep data, size_t size)
{
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), size);
}

void flushNothing(png_structp) {}

[[noreturn]] void onWriteError(png_structp png, png_const_charp)
{
    longjmp(png_jmpbuf(png), 1);
}

// One chunk (length, type, data, CRC) as libpng frames it. Returns false if
// libpng fails; `out` is left unspecified then.
bool frameChunk(const char* type, const std::string& data, std::string& out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, onWriteError, nullptr);
    if (!png)
        return false;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, nullptr);
        return false;
    }
    png_set_write_fn(png, &out, appendBytes, flushNothing);
    png_write_chunk(png, reinterpret_cast<png_const_bytep>(type),
                    reinterpret_cast<png_const_bytep>(data.data()), data.size());
    png_destroy_write_struct(&png, nullptr);
    return true;
}

std::string makeInternationalTextChunk(const std::string& key, const std::string& value)
{
    checkKey(key);
    if (!isUtf8(value))
        throw Error("PNG text value of \"" + key + "\" is not valid UTF-8");
    // keyword, NUL, compression flag 0, method 0, empty language tag and
    // translated keyword (each NUL-terminated), then the UTF-8 text.
    std::string data = key;
    data.append("\0\0\0\0\0", 5);
    data += value;
    if (data.size() > kMaxChunkLength)
        throw Error("PNG text value of \"" + key + "\" is too large for a chunk");
    std::string chunk;
    if (!frameChunk("iTXt", data, chunk))
        throw Error("PNG text \"" + key + "\": libpng cannot write the chunk");
    return chunk;
}

}  // namespace

// The text goes in by splicing iTXt chunks in front of IEND rather than
// through libpng's writer: that would mean decoding and re-encoding the image
// (cv::imencode has already encoded it, and keeps no text), and splicing
// leaves every byte of the image as it was.
std::string insertPngText(std::string_view png, const PngText& text, const std::string& name)
{
    size_t iendOffset = 0;
    readPng(png, name, &iendOffset);
    std::string out(png.substr(0, iendOffset));
    for (const auto& [key, value] : text)
        out += makeInternationalTextChunk(key, value);
    out += png.substr(iendOffset, kChunkFrameSize);  // IEND; anything trailing it is dropped
    return out;
}

std::string encodePngWithText(const cv::Mat& image, const PngText& text)
{
    if (image.empty())
        throw Error("cannot encode an empty image as PNG");
    std::vector<uchar> encoded;
    bool ok = false;
    try {
        ok = cv::imencode(".png", image, encoded);
    } catch (const cv::Exception& e) {
        throw Error(std::string("cannot encode image as PNG: ") + e.what());
    }
    if (!ok)
        throw Error("cannot encode image as PNG");
    return insertPngText(
        std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()), text);
}

void writePngWithText(const std::string& path, const cv::Mat& image, const PngText& text)
{
    std::string bytes;
    try {
        bytes = encodePngWithText(image, text);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    writeFileAtomically(path, bytes);
}

PngText decodePngText(std::string_view png, const std::string& name)
{
    PngText text;
    for (const TextChunk& chunk : readPng(png, name)) {
        const std::string key = latin1ToUtf8(chunk.key);
        // libpng checks the keyword of compressed chunks only.
        if (chunk.key.empty() || chunk.key.size() > 79)
            throw Error(name + ": text chunk keyword length " + std::to_string(chunk.key.size()) +
                        " is outside 1-79");
        if (chunk.international && !isUtf8(chunk.value))
            throw Error(name + ": text of \"" + key + "\" is not valid UTF-8");
        text[key] = chunk.international ? chunk.value : latin1ToUtf8(chunk.value);
    }
    return text;
}

PngText readPngText(const std::string& path)
{
    return decodePngText(readWholeFile(path), path);
}

}  // namespace ddsm
