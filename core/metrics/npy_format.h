#pragma once
// The numpy .npy array format (numpy.lib.format): a magic string, a version,
// a Python-literal header {'descr': ..., 'fortran_order': ..., 'shape': ...}
// and the raw element bytes. Reads versions 1.0 to 3.0, writes 1.0.
// Only little-endian numeric types and '<U' strings are supported; object
// (pickled) arrays never are.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ddsm {

struct NpyArray {
    std::string descr;           // numpy dtype string: "<f8", "<f4", "<i8", "<U12", ...
    std::vector<int64_t> shape;  // empty for a 0-d array (a scalar)
    std::string data;            // element bytes, C order, little-endian

    int64_t elementCount() const;
};

// Bytes per element of a supported descr ('<f4', '<f8', '<i4', '<i8', '|u1',
// '<U<n>'); throws ddsm::Error naming `origin` otherwise.
size_t npyItemSize(const std::string& descr, const std::string& origin);

// A version 1.0 file; the header is padded with spaces and a newline so the
// data starts on a 64-byte boundary, as numpy writes it.
std::string encodeNpy(const NpyArray& array);

// Parses a .npy file. `origin` (e.g. "stats.npz, entry mu.npy") starts every
// error message. Rejects Fortran order, big-endian data and a data size that
// does not match the shape.
NpyArray decodeNpy(std::string_view bytes, const std::string& origin);

}  // namespace ddsm
