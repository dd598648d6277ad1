#pragma once
// Conversions between .npy arrays and tensors or strings.
#include "metrics/npy_format.h"

#include <ATen/core/Tensor.h>

#include <string>

namespace ddsm {

// float64 -> '<f8', float32 -> '<f4', int64 -> '<i8'; other types are refused.
NpyArray npyFromTensor(const at::Tensor& t);

// A tensor of the array's shape and type ('<f4', '<f8', '<i4', '<i8', '|u1').
// Throws ddsm::Error naming `origin` for strings or other types.
at::Tensor tensorFromNpy(const NpyArray& array, const std::string& origin);

// A 0-d '<U<n>' array (UTF-32), which numpy.load returns as a str-like array.
NpyArray npyFromString(const std::string& utf8);

// The text of a 0-d or 1-element '<U<n>' array, as UTF-8 (trailing NULs,
// numpy's padding, removed).
std::string stringFromNpy(const NpyArray& array, const std::string& origin);

}  // namespace ddsm
