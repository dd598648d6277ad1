#pragma once
// The header of a .safetensors file, read and validated without LibTorch: the
// 8-byte little-endian length N, N bytes of UTF-8 JSON naming each tensor's
// dtype, shape and data_offsets (relative to the byte buffer after the header)
// plus an optional "__metadata__" string map. Every malformed header is one
// ddsm::Error naming the file and the tensor or field; nothing is allocated
// for the header before its length is checked against the file size.
#include <cstdint>
#include <fstream>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace ddsm {

inline constexpr const char* kSafetensorsMetadataKey = "__metadata__";

// What the header says about one tensor, without its data.
struct SafetensorsEntry {
    std::string name;
    std::string dtype;  // "F32", "BF16", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets relative to the buffer start
    uint64_t end = 0;
};

struct SafetensorsHeader {
    std::vector<SafetensorsEntry> entries;  // sorted by begin; they tile the buffer exactly
    std::map<std::string, std::string> metadata;
    uint64_t headerBytes = 0;  // N, the JSON length including padding
    uint64_t bufferBytes = 0;  // size of the byte buffer after the header
};

// Bytes per element of a safetensors dtype name ("F32" -> 4); 0 if unknown.
uint64_t safetensorsItemSize(const std::string& dtype);

// Reads and validates the header of a file of `fileSize` bytes that `in`
// reads from position 0; `path` names it in errors.
SafetensorsHeader readSafetensorsHeader(std::istream& in, uint64_t fileSize, const std::string& path);

// Opens `path` into `in` and reads its header; `in` stays open for the data.
SafetensorsHeader openSafetensors(std::ifstream& in, const std::string& path);

// Reads and validates only the header (the file size is checked, the tensor
// bytes are not read): cheap enough to list a model's architecture and shapes.
SafetensorsHeader readSafetensorsHeader(const std::string& path);

// The "__metadata__" map alone, read as readSafetensorsHeader does.
std::map<std::string, std::string> readSafetensorsMetadata(const std::string& path);

}  // namespace ddsm
