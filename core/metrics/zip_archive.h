#pragma once
// ZIP archives as numpy's .npz files use them, through libzip: writes STORED
// (uncompressed) archives like numpy.savez; reads STORED and DEFLATE entries
// (numpy.savez_compressed), checking each entry's CRC-32. Encrypted entries,
// other compression methods and entries over 2 GiB are refused, and a
// deflated entry may not declare more than deflate can expand to.
#include <string>
#include <string_view>
#include <vector>

namespace ddsm {

struct ZipEntry {
    std::string name;
    std::string data;  // uncompressed bytes
};

// The archive's bytes. Timestamps are fixed (1980-01-01) so that equal
// content gives identical files.
std::string encodeZip(const std::vector<ZipEntry>& entries);

// Every entry, in central-directory order. `origin` (usually the path)
// starts every error message.
std::vector<ZipEntry> decodeZip(std::string_view bytes, const std::string& origin);

}  // namespace ddsm
