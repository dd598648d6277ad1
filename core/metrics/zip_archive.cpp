#include "metrics/zip_archive.h"

#include "base/error.h"

#include <zip.h>

#include <cstdint>
#include <memory>

namespace ddsm {
namespace {

constexpr uint16_t kDosTimeMidnight = 0;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
// An entry larger than this is refused before it is read.
constexpr uint64_t kMaxEntrySize = uint64_t(1) << 31;
// Deflate turns at most 2 bits into a 258-byte match: no stream expands more.
// libzip trusts an entry's declared size, so the reader checks it against
// this bound before allocating it: an 11 kB file cannot ask for 1.4 GB.
constexpr uint64_t kMaxDeflateRatio = 1032;

struct ArchiveCloser {
    void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct EntryCloser {
    void operator()(zip_file_t* file) const { zip_fclose(file); }
};
struct SourceCloser {
    void operator()(zip_source_t* source) const { zip_source_free(source); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;
using EntryFile = std::unique_ptr<zip_file_t, EntryCloser>;
using Source = std::unique_ptr<zip_source_t, SourceCloser>;

std::string libzipMessage(zip_error_t* error)
{
    return zip_error_strerror(error);
}

// Errors name the origin (usually the path) first.
class Reader {
public:
    explicit Reader(const std::string& origin) : origin_(origin) {}
    [[noreturn]] void fail(const std::string& problem) const { throw Error(origin_ + ": " + problem); }

private:
    const std::string& origin_;
};

Archive openArchive(std::string_view bytes, const Reader& reader)
{
    // libzip opens an empty buffer as an empty archive; a .npz never is one.
    if (bytes.empty())
        reader.fail("not a ZIP archive (the file is empty)");
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) {
        const std::string message = libzipMessage(&error);
        zip_error_fini(&error);
        reader.fail("cannot read ZIP archive: " + message);
    }
    zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (archive) {
        zip_error_fini(&error);
        return Archive(archive);
    }
    zip_source_free(source);
    const int code = zip_error_code_zip(&error);
    const std::string message = libzipMessage(&error);
    zip_error_fini(&error);
    if (code == ZIP_ER_NOZIP) {
        // No end-of-central-directory record: a ZIP cut short, or no ZIP at all.
        if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4))
            reader.fail("truncated ZIP archive: no end-of-central-directory record");
        reader.fail("not a ZIP archive (.npz files are ZIP archives)");
    }
    if (code == ZIP_ER_INCONS)
        reader.fail("corrupt ZIP archive: its directory does not match the file (truncated or damaged)");
    reader.fail("corrupt ZIP archive: " + message);
}

// Refuses what this reader does not read, before anything is allocated.
void checkEntry(const zip_stat_t& stat, const std::string& name, size_t archiveSize, const Reader& reader)
{
    const zip_uint64_t needed = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if ((stat.valid & needed) != needed)
        reader.fail("corrupt ZIP archive: entry " + name + " has no sizes");
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE)
        reader.fail("entry " + name + " is encrypted");
    if (stat.comp_method != ZIP_CM_STORE && stat.comp_method != ZIP_CM_DEFLATE)
        reader.fail("entry " + name + " uses compression method " + std::to_string(stat.comp_method) +
                    "; only stored and deflate are supported");
    // libzip does not compare an entry's compressed size with the archive's:
    // a 200-byte file could otherwise have 2 GB allocated for a stored entry.
    if (stat.comp_size > archiveSize)
        reader.fail("corrupt ZIP archive: entry " + name + " claims " + std::to_string(stat.comp_size) +
                    " compressed bytes but the file holds only " + std::to_string(archiveSize));
    if (stat.size > kMaxEntrySize)
        reader.fail("entry " + name + " is too large (" + std::to_string(stat.size) + " bytes)");
    if (stat.comp_method == ZIP_CM_STORE && stat.comp_size != stat.size)
        reader.fail("corrupt ZIP archive: stored entry " + name + " has differing sizes");
    if (stat.comp_method == ZIP_CM_DEFLATE && stat.size > stat.comp_size * kMaxDeflateRatio + 1024)
        reader.fail("corrupt ZIP archive: entry " + name + " claims " + std::to_string(stat.size) +
                    " bytes from " + std::to_string(stat.comp_size) +
                    " compressed bytes, more than deflate can produce");
}

[[noreturn]] void failReading(zip_file_t* file, const std::string& name, const Reader& reader)
{
    zip_error_t* error = zip_file_get_error(file);
    switch (zip_error_code_zip(error)) {
    case ZIP_ER_CRC:
        reader.fail("corrupt ZIP archive: CRC-32 mismatch in entry " + name);
    case ZIP_ER_COMPRESSED_DATA:
    case ZIP_ER_ZLIB:
        reader.fail("corrupt compressed data in entry " + name);
    case ZIP_ER_INCONS:
        reader.fail("corrupt ZIP archive: entry " + name + " does not hold its declared size");
    default:
        reader.fail("corrupt ZIP archive: entry " + name + ": " + libzipMessage(error));
    }
}

std::string readEntry(zip_t* archive, zip_uint64_t index, size_t size, const std::string& name,
                      const Reader& reader)
{
    EntryFile file(zip_fopen_index(archive, index, 0));
    if (!file)
        reader.fail("corrupt ZIP archive: cannot open entry " + name + ": " + libzipMessage(zip_get_error(archive)));
    std::string data(size, '\0');
    size_t got = 0;
    while (got < size) {
        const zip_int64_t n = zip_fread(file.get(), data.data() + got, size - got);
        if (n < 0)
            failReading(file.get(), name, reader);
        if (n == 0)
            reader.fail("corrupt ZIP archive: entry " + name + " ends after " + std::to_string(got) + " of " +
                        std::to_string(size) + " bytes");
        got += size_t(n);
    }
    // Reading on to the end is what makes libzip compare the CRC-32, and
    // catches data longer than declared.
    char probe;
    const zip_int64_t extra = zip_fread(file.get(), &probe, 1);
    if (extra < 0)
        failReading(file.get(), name, reader);
    if (extra > 0)
        reader.fail("corrupt ZIP archive: entry " + name + " holds more than its declared " +
                    std::to_string(size) + " bytes");
    return data;
}

// The bytes a libzip buffer source holds.
std::string sourceBytes(zip_source_t* source)
{
    zip_stat_t stat;
    if (zip_source_stat(source, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE) || zip_source_open(source) != 0)
        throw Error("cannot build a ZIP archive: " + libzipMessage(zip_source_error(source)));
    std::string out(stat.size, '\0');
    const zip_int64_t n = zip_source_read(source, out.data(), out.size());
    zip_source_close(source);
    if (n != zip_int64_t(out.size()))
        throw Error("cannot build a ZIP archive: " + libzipMessage(zip_source_error(source)));
    return out;
}

}  // namespace

std::string encodeZip(const std::vector<ZipEntry>& entries)
{
    zip_error_t error;
    zip_error_init(&error);
    Source target(zip_source_buffer_create(nullptr, 0, 0, &error));
    zip_t* archive = target ? zip_open_from_source(target.get(), ZIP_TRUNCATE, &error) : nullptr;
    if (!archive) {
        const std::string message = libzipMessage(&error);
        zip_error_fini(&error);
        throw Error("cannot build a ZIP archive: " + message);
    }
    zip_error_fini(&error);
    zip_source_keep(target.get());  // zip_close must leave the bytes to read back
    Archive open(archive);
    const auto failOn = [&](const std::string& name) {
        throw Error("cannot add " + name + " to a ZIP archive: " + libzipMessage(zip_get_error(archive)));
    };
    for (const ZipEntry& e : entries) {
        // libzip reads the data when the archive is closed, below, while `entries` still holds it.
        zip_source_t* data = zip_source_buffer(archive, e.data.data(), e.data.size(), 0);
        if (!data)
            failOn(e.name);
        const zip_int64_t index = zip_file_add(archive, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(data);
            failOn(e.name);
        }
        // Stored, like numpy.savez, with a fixed timestamp: equal content gives identical files.
        if (zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_STORE, 0) != 0 ||
            zip_file_set_dostime(archive, zip_uint64_t(index), kDosTimeMidnight, kDosDate1980, 0) != 0)
            failOn(e.name);
    }
    if (zip_close(archive) != 0)
        throw Error("cannot build a ZIP archive: " + libzipMessage(zip_get_error(archive)));
    open.release();  // closed: zip_close freed it
    return sourceBytes(target.get());
}

std::vector<ZipEntry> decodeZip(std::string_view bytes, const std::string& origin)
{
    const Reader reader(origin);
    const Archive archive = openArchive(bytes, reader);
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    std::vector<ZipEntry> entries;
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t stat;
        zip_stat_init(&stat);
        // Raw names: the bytes the archive holds, as numpy writes them.
        if (zip_stat_index(archive.get(), zip_uint64_t(i), ZIP_FL_ENC_RAW, &stat) != 0 ||
            !(stat.valid & ZIP_STAT_NAME))
            reader.fail("corrupt ZIP archive: bad central directory entry " + std::to_string(i));
        ZipEntry entry;
        entry.name = stat.name;
        checkEntry(stat, entry.name, bytes.size(), reader);
        entry.data = readEntry(archive.get(), zip_uint64_t(i), size_t(stat.size), entry.name, reader);
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace ddsm
