#pragma once
// The .safetensors weight format of the diffusion ecosystem: an 8-byte
// little-endian header length N, N bytes of UTF-8 JSON describing each tensor
// (dtype, shape, data_offsets relative to the byte buffer) plus an optional
// "__metadata__" string map, then the byte buffer of little-endian,
// C-contiguous tensors. Loading never executes code, and every malformed file
// is rejected with a ddsm::Error naming the file and the tensor or field.
#include "io/safetensors_header.h"

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

// Writes `tensors` (moved to CPU and made contiguous) and `metadata` to `path`
// atomically. Supported dtypes: F32, F64, F16, BF16, I64, I32, I16, I8, U8,
// BOOL. Throws ddsm::Error for an unsupported dtype, an undefined tensor, an
// empty or duplicate name, or "__metadata__" used as a tensor name.
void saveSafetensors(const std::string& path, const NamedTensors& tensors,
                     const std::map<std::string, std::string>& metadata);

// Reads and validates the whole file, then the tensor data. The header alone:
// readSafetensorsHeader (io/safetensors_header.h).
SafetensorsFile loadSafetensors(const std::string& path);

}  // namespace ddsm
