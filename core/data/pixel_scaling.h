#pragma once
// The one place where stored 8-bit pixels become network inputs, so that every
// loader maps bytes to [-1, 1] identically.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace ddsm {

// `bytes` holds a tensor of shape `sizes` in row-major order. Returns float32
// with p -> p / 127.5 - 1 (exactly -1 for 0 and 1 for 255).
at::Tensor scaledPixels(const std::vector<uint8_t>& bytes, std::vector<int64_t> sizes);

// `bytes` as an int64 tensor [N] of class indices.
at::Tensor labelTensor(const std::vector<uint8_t>& bytes);

}  // namespace ddsm
