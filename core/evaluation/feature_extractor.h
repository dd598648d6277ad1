#pragma once
// A network that maps images to feature vectors: the space in which FID and
// KID compare generated images with real ones. Implemented by the shipped
// Fashion-MNIST classifier and by any TorchScript image network.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace ddsm {

class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;

    // Names the feature space in estimates and statistics files, e.g.
    // "fmnist-cnn-128@1a2b3c4d"; two extractors with one name give
    // interchangeable features.
    virtual std::string name() const = 0;
    virtual int64_t dim() const = 0;
    // images: float [B, C, H, W] in [-1, 1]. Returns float32 [B, dim()] on the
    // CPU. Runs without gradients. Throws ddsm::Error for images the network
    // cannot take (naming the expected and the given shape).
    virtual at::Tensor features(const at::Tensor& images) = 0;
};

}  // namespace ddsm
