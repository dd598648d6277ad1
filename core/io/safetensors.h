#pragma once
// The .safetensors weight format of the diffusion ecosystem: an 8-byte
// little-endian header length N, N bytes of UTF-8 JSON describing each tensor
// (dtype, shape, data_offsets relative to the byte buffer) plus an optional
// "__metadata__" string map, then the byte buffer of little-endian,
// C-contiguous tensors. Loading never executes code, and every malformed file
// is rejected with a ddsm::Error naming the file and the tensor or field.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ddsm {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct SafetensorsFile {
    NamedTensors tensors;  // in the order of their bytes in the file
    std::map<std::string, std::string> metadata;
};

// What the header says about one tensor, without its data.
struct SafetensorsEntry {
    std::string name;
    std::string dtype;  // "F32", "BF16", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets relative to the buffer start
    uint64_t end = 0;
};

struct SafetensorsHeader {
    std::vector<SafetensorsEntry> entries;  // sorted by begin
    std::map<std::string, std::string> metadata;
    uint64_t headerBytes = 0;  // N, the JSON length including padding
    uint64_t bufferBytes = 0;  // size of the byte buffer after the header
};

// Writes `tensors` (moved to CPU and made contiguous) and `metadata` to `path`
// atomically. Supported dtypes: F32, F64, F16, BF16, I64, I32, I16, I8, U8,
// BOOL. Throws ddsm::Error for an unsupported dtype, an undefined tensor, an
// empty or duplicate name, or "__metadata__" used as a tensor name.
void saveSafetensors(const std::string& path, const NamedTensors& tensors,
                     const std::map<std::string, std::string>& metadata);

// Reads and validates the whole file, then the tensor data.
SafetensorsFile loadSafetensors(const std::string& path);

// Reads and validates only the header (the file size is checked, the tensor
// bytes are not read): cheap enough to list a model's architecture and shapes.
SafetensorsHeader readSafetensorsHeader(const std::string& path);

// The "__metadata__" map alone, read as readSafetensorsHeader does.
std::map<std::string, std::string> readSafetensorsMetadata(const std::string& path);

}  // namespace ddsm
