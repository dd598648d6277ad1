#include "metrics/zip_archive.h"

#include "base/error.h"

#include <zlib.h>

#include <cstdint>
#include <limits>

namespace ddsm {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectorySignature = 0x06054b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndRecordSize = 22;
constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;
constexpr uint16_t kVersionNeeded = 20;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
// An entry larger than this is refused before inflating it.
constexpr uint64_t kMaxEntrySize = uint64_t(1) << 31;

void put16(std::string& out, uint32_t v)
{
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
}

void put32(std::string& out, uint32_t v)
{
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

uint32_t crcOf(std::string_view data)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths; feed large buffers in pieces.
    while (!data.empty()) {
        const auto piece = static_cast<uInt>(std::min<size_t>(data.size(), 1u << 30));
        crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), piece);
        data.remove_prefix(piece);
    }
    return static_cast<uint32_t>(crc);
}

// Bounds-checked little-endian reads; a read past the end means a cut file.
class Reader {
public:
    Reader(std::string_view bytes, const std::string& origin) : bytes_(bytes), origin_(origin) {}

    uint32_t u16(size_t at) const { return get(at, 2); }
    uint32_t u32(size_t at) const { return get(at, 4); }
    std::string_view slice(size_t at, size_t size, const char* what) const
    {
        if (at > bytes_.size() || size > bytes_.size() - at)
            fail(std::string("truncated ZIP archive: ") + what + " runs past the end of the file");
        return bytes_.substr(at, size);
    }
    [[noreturn]] void fail(const std::string& problem) const { throw Error(origin_ + ": " + problem); }

private:
    uint32_t get(size_t at, size_t width) const
    {
        const std::string_view s = slice(at, width, "a header");
        uint32_t v = 0;
        for (size_t i = 0; i < width; ++i)
            v |= uint32_t(static_cast<unsigned char>(s[i])) << (8 * i);
        return v;
    }

    std::string_view bytes_;
    const std::string& origin_;
};

size_t findEndRecord(std::string_view bytes, const Reader& reader)
{
    if (bytes.size() >= kEndRecordSize) {
        // The record is last, followed by a comment of at most 65535 bytes.
        const size_t lowest = bytes.size() >= kEndRecordSize + 0xffff
                                  ? bytes.size() - kEndRecordSize - 0xffff
                                  : 0;
        for (size_t at = bytes.size() - kEndRecordSize + 1; at-- > lowest;)
            if (reader.u32(at) == kEndOfCentralDirectorySignature)
                return at;
    }
    if (bytes.size() >= 4 && reader.u32(0) == kLocalHeaderSignature)
        reader.fail("truncated ZIP archive: no end-of-central-directory record");
    reader.fail("not a ZIP archive (.npz files are ZIP archives)");
}

// Deflate turns at most 2 bits into a 258-byte match: no stream expands more.
constexpr uint64_t kMaxDeflateRatio = 1032;

std::string inflateRaw(std::string_view compressed, size_t size, const std::string& where,
                       const Reader& reader)
{
    // The size comes from the archive: checked before it is allocated, so a
    // small file cannot ask for gigabytes.
    if (uint64_t(size) > uint64_t(compressed.size()) * kMaxDeflateRatio + 1024 || size > 0xffffffffu)
        reader.fail("corrupt ZIP archive: entry " + where + " claims " + std::to_string(size) +
                    " bytes from " + std::to_string(compressed.size()) +
                    " compressed bytes, more than deflate can produce");
    std::string out(size, '\0');
    z_stream zs{};
    // Negative window bits: raw deflate data, no zlib header (as in ZIP).
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        reader.fail("cannot initialise zlib");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    zs.avail_in = static_cast<uInt>(compressed.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(size);
    const int status = inflate(&zs, Z_FINISH);
    const size_t produced = zs.total_out;
    inflateEnd(&zs);
    if (status != Z_STREAM_END || produced != size)
        reader.fail("corrupt compressed data in entry " + where);
    return out;
}

}  // namespace

std::string encodeZip(const std::vector<ZipEntry>& entries)
{
    std::string out;
    std::string directory;
    for (const ZipEntry& e : entries) {
        if (e.data.size() >= 0xffffffffu || out.size() >= 0xffffffffu || e.name.size() > 0xffff)
            throw Error("ZIP entry " + e.name + " is too large for a ZIP archive without ZIP64");
        const uint32_t crc = crcOf(e.data);
        const auto size = static_cast<uint32_t>(e.data.size());
        const auto offset = static_cast<uint32_t>(out.size());

        put32(out, kLocalHeaderSignature);
        put16(out, kVersionNeeded);
        put16(out, 0);  // flags
        put16(out, kStored);
        put16(out, 0);  // time 00:00:00
        put16(out, kDosDate1980);
        put32(out, crc);
        put32(out, size);  // compressed
        put32(out, size);  // uncompressed
        put16(out, static_cast<uint32_t>(e.name.size()));
        put16(out, 0);  // extra field length
        out += e.name;
        out += e.data;

        put32(directory, kCentralHeaderSignature);
        put16(directory, kVersionNeeded);  // version made by
        put16(directory, kVersionNeeded);
        put16(directory, 0);
        put16(directory, kStored);
        put16(directory, 0);
        put16(directory, kDosDate1980);
        put32(directory, crc);
        put32(directory, size);
        put32(directory, size);
        put16(directory, static_cast<uint32_t>(e.name.size()));
        put16(directory, 0);  // extra
        put16(directory, 0);  // comment
        put16(directory, 0);  // disk number
        put16(directory, 0);  // internal attributes
        put32(directory, 0);  // external attributes
        put32(directory, offset);
        directory += e.name;
    }
    if (entries.size() >= 0xffff || out.size() + directory.size() >= 0xffffffffu)
        throw Error("too many or too large entries for a ZIP archive without ZIP64");
    const auto directoryOffset = static_cast<uint32_t>(out.size());
    out += directory;
    put32(out, kEndOfCentralDirectorySignature);
    put16(out, 0);  // this disk
    put16(out, 0);  // disk with the directory
    put16(out, static_cast<uint32_t>(entries.size()));
    put16(out, static_cast<uint32_t>(entries.size()));
    put32(out, static_cast<uint32_t>(directory.size()));
    put32(out, directoryOffset);
    put16(out, 0);  // comment length
    return out;
}

std::vector<ZipEntry> decodeZip(std::string_view bytes, const std::string& origin)
{
    const Reader reader(bytes, origin);
    const size_t end = findEndRecord(bytes, reader);
    const uint32_t entryCount = reader.u16(end + 10);
    const uint32_t directorySize = reader.u32(end + 12);
    const uint32_t directoryOffset = reader.u32(end + 16);
    if (entryCount == 0xffff || directorySize == 0xffffffffu || directoryOffset == 0xffffffffu)
        reader.fail("ZIP64 archives are not supported");
    if (uint64_t(directoryOffset) + directorySize > end)
        reader.fail("corrupt ZIP archive: central directory lies outside the file "
                    "(truncated or damaged)");

    std::vector<ZipEntry> entries;
    size_t at = directoryOffset;
    for (uint32_t i = 0; i < entryCount; ++i) {
        if (reader.u32(at) != kCentralHeaderSignature)
            reader.fail("corrupt ZIP archive: bad central directory entry " + std::to_string(i));
        const uint32_t flags = reader.u16(at + 8);
        const uint32_t method = reader.u16(at + 10);
        const uint32_t crc = reader.u32(at + 16);
        const uint32_t compressedSize = reader.u32(at + 20);
        const uint32_t size = reader.u32(at + 24);
        const uint32_t nameLength = reader.u16(at + 28);
        const uint32_t extraLength = reader.u16(at + 30);
        const uint32_t commentLength = reader.u16(at + 32);
        const uint32_t localOffset = reader.u32(at + 42);
        ZipEntry entry;
        entry.name = std::string(reader.slice(at + kCentralHeaderSize, nameLength, "an entry name"));
        at += kCentralHeaderSize + nameLength + extraLength + commentLength;

        if (flags & 1u)
            reader.fail("entry " + entry.name + " is encrypted");
        if (compressedSize == 0xffffffffu || size == 0xffffffffu || localOffset == 0xffffffffu)
            reader.fail("entry " + entry.name + " uses ZIP64 sizes, which are not supported");
        if (size > kMaxEntrySize)
            reader.fail("entry " + entry.name + " is too large (" + std::to_string(size) + " bytes)");

        // The local header repeats the name and may carry a different extra
        // field (numpy writes a ZIP64 one there); the directory's sizes rule.
        if (reader.u32(localOffset) != kLocalHeaderSignature)
            reader.fail("corrupt ZIP archive: bad local header for entry " + entry.name);
        const size_t dataOffset = localOffset + kLocalHeaderSize + reader.u16(localOffset + 26) +
                                  reader.u16(localOffset + 28);
        const std::string_view stored = reader.slice(dataOffset, compressedSize, "entry data");

        if (method == kStored) {
            if (compressedSize != size)
                reader.fail("corrupt ZIP archive: stored entry " + entry.name +
                            " has differing sizes");
            entry.data = std::string(stored);
        } else if (method == kDeflated) {
            entry.data = inflateRaw(stored, size, entry.name, reader);
        } else {
            reader.fail("entry " + entry.name + " uses compression method " +
                        std::to_string(method) + "; only stored and deflate are supported");
        }
        if (crcOf(entry.data) != crc)
            reader.fail("corrupt ZIP archive: CRC-32 mismatch in entry " + entry.name);
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace ddsm
