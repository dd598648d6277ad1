#include "search/pixel_features.h"

#include <torch/torch.h>

namespace ddsm {

at::Tensor downsampledPixelFeatures(const at::Tensor& images, int size)
{
    return torch::adaptive_avg_pool2d(images.to(torch::kFloat), {size, size}).flatten(1);
}

std::string downsampledPixelFeatureName(int size)
{
    return "pixels-" + std::to_string(size) + "x" + std::to_string(size);
}

}  // namespace ddsm
