#pragma once
// A fallback feature function for when no trained feature network is at
// hand: the image average-pooled to size x size pixels and flattened
// ([N, C*size*size]). It measures only coarse structure and brightness; an
// FID on it is named "pixels-SxS" so it is never mistaken for a network FID.
#include <ATen/core/Tensor.h>

#include <string>

namespace ddsm {

at::Tensor downsampledPixelFeatures(const at::Tensor& imagesInMinus1To1, int size = 7);
std::string downsampledPixelFeatureName(int size = 7);

}  // namespace ddsm
