#include "io/png_text.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <cstdint>
#include <vector>

namespace ddsm {

namespace {

constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr uint32_t kMaxChunkLength = 0x7fffffff;  // PNG spec limit
// A compressed text chunk may inflate far beyond its size; this bounds it.
constexpr size_t kMaxInflatedText = 64u << 20;

struct Chunk {
    std::string_view type;
    std::string_view data;
    size_t offset = 0;  // of the chunk's length field in the file
};

uint32_t readBigEndian32(std::string_view bytes, size_t at)
{
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i)
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

void appendBigEndian32(std::string& out, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint32_t chunkCrc(std::string_view type, std::string_view data)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(type.data()), static_cast<uInt>(type.size()));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    return static_cast<uint32_t>(crc);
}

std::string describe(const Chunk& chunk)
{
    return "chunk \"" + std::string(chunk.type) + "\" at offset " + std::to_string(chunk.offset);
}

bool isChunkType(std::string_view type)
{
    for (char c : type)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    return true;
}

// Splits a PNG into chunks up to and including IEND, checking every CRC.
std::vector<Chunk> readChunks(std::string_view png, const std::string& name)
{
    auto fail = [&](const std::string& what) -> void { throw Error(name + ": " + what); };
    if (png.empty())
        fail("file is empty, not a PNG");
    if (png.substr(0, kSignature.size()) != kSignature)
        fail("not a PNG file (bad signature)");
    std::vector<Chunk> chunks;
    size_t at = kSignature.size();
    for (;;) {
        if (png.size() - at < 12)
            fail("truncated at offset " + std::to_string(at) + " (no IEND chunk)");
        const uint32_t length = readBigEndian32(png, at);
        Chunk chunk{png.substr(at + 4, 4), {}, at};
        if (!isChunkType(chunk.type))
            fail("invalid chunk type at offset " + std::to_string(at));
        if (length > kMaxChunkLength)
            fail(describe(chunk) + " has an invalid length " + std::to_string(length));
        if (png.size() - at - 12 < length)
            fail("truncated in " + describe(chunk));
        chunk.data = png.substr(at + 8, length);
        if (readBigEndian32(png, at + 8 + length) != chunkCrc(chunk.type, chunk.data))
            fail("CRC mismatch in " + describe(chunk));
        if (chunks.empty() && chunk.type != "IHDR")
            fail("first chunk is \"" + std::string(chunk.type) + "\", not \"IHDR\"");
        chunks.push_back(chunk);
        at += 12 + length;
        if (chunk.type == "IEND")
            return chunks;
    }
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

std::string inflateText(std::string_view compressed, const std::string& where)
{
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK)
        throw Error(where + ": cannot initialise zlib");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    std::string out;
    char buffer[16384];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            inflateEnd(&stream);
            throw Error(where + ": compressed text is corrupt");
        }
        out.append(buffer, sizeof buffer - stream.avail_out);
        if (out.size() > kMaxInflatedText) {
            inflateEnd(&stream);
            throw Error(where + ": compressed text inflates beyond " +
                        std::to_string(kMaxInflatedText) + " bytes");
        }
        if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
            inflateEnd(&stream);
            throw Error(where + ": compressed text is truncated");
        }
    }
    inflateEnd(&stream);
    return out;
}

// Reads the next NUL-terminated field of a text chunk.
std::string_view takeField(std::string_view& data, const std::string& where, const char* field)
{
    const size_t end = data.find('\0');
    if (end == std::string_view::npos)
        throw Error(where + ": " + field + " is not terminated");
    const std::string_view value = data.substr(0, end);
    data.remove_prefix(end + 1);
    return value;
}

void decodeTextChunk(const Chunk& chunk, const std::string& name, PngText& text)
{
    const std::string where = name + ": " + describe(chunk);
    std::string_view data = chunk.data;
    const std::string_view keyword = takeField(data, where, "keyword");
    if (keyword.empty() || keyword.size() > 79)
        throw Error(where + ": keyword length " + std::to_string(keyword.size()) +
                    " is outside 1-79");
    const std::string key = latin1ToUtf8(keyword);

    if (chunk.type == "tEXt") {
        text[key] = latin1ToUtf8(data);
    } else if (chunk.type == "zTXt") {
        if (data.empty() || data[0] != 0)
            throw Error(where + ": unknown compression method");
        text[key] = latin1ToUtf8(inflateText(data.substr(1), where));
    } else {  // iTXt
        if (data.size() < 2)
            throw Error(where + ": missing compression fields");
        const bool compressed = data[0] != 0;
        if (compressed && data[1] != 0)
            throw Error(where + ": unknown compression method");
        data.remove_prefix(2);
        takeField(data, where, "language tag");
        takeField(data, where, "translated keyword");
        std::string value = compressed ? inflateText(data, where) : std::string(data);
        if (!isUtf8(value))
            throw Error(where + ": text of \"" + key + "\" is not valid UTF-8");
        text[key] = std::move(value);
    }
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

std::string makeChunk(std::string_view type, std::string_view data)
{
    std::string chunk;
    appendBigEndian32(chunk, static_cast<uint32_t>(data.size()));
    chunk += type;
    chunk += data;
    appendBigEndian32(chunk, chunkCrc(type, data));
    return chunk;
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
    return makeChunk("iTXt", data);
}

}  // namespace

std::string insertPngText(std::string_view png, const PngText& text, const std::string& name)
{
    const std::vector<Chunk> chunks = readChunks(png, name);
    const size_t iendOffset = chunks.back().offset;
    std::string out(png.substr(0, iendOffset));
    for (const auto& [key, value] : text)
        out += makeInternationalTextChunk(key, value);
    out += png.substr(iendOffset, 12);  // IEND; anything trailing it is dropped
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
    for (const Chunk& chunk : readChunks(png, name))
        if (chunk.type == "tEXt" || chunk.type == "zTXt" || chunk.type == "iTXt")
            decodeTextChunk(chunk, name, text);
    return text;
}

PngText readPngText(const std::string& path)
{
    return decodePngText(readWholeFile(path), path);
}

}  // namespace ddsm
