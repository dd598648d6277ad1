#pragma once
// Input checks shared by the estimators; each failure throws ddsm::Error
// naming `what` and the offending shape or value.
#include <ATen/core/Tensor.h>

#include <string>

namespace ddsm {

// Features [N, D] as contiguous float64; rejects other ranks and NaN/Inf.
at::Tensor featuresAsDouble(const at::Tensor& features, const std::string& what);

// Throws unless every element of `t` is finite.
void requireFinite(const at::Tensor& t, const std::string& what);

std::string shapeString(const at::Tensor& t);

}  // namespace ddsm
