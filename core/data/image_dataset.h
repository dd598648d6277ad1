#pragma once
// A set of images ready for a denoising network, whatever file format they
// came from.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace ddsm {

struct ImageDataset {
    // float32 [N, C, H, W]; a stored byte p becomes p / 127.5 - 1, so 0 -> -1
    // and 255 -> 1 (the DDPM convention). Channels are RGB when C = 3.
    at::Tensor images;
    // int64 [N] class indices, or undefined for unlabelled data.
    at::Tensor labels;
    // class_names[label] names a class; empty for unlabelled data.
    std::vector<std::string> class_names;
    // One line for logs and provenance, e.g.
    // "Fashion-MNIST train, 60000 images 1x28x28, /usr/share/datasets/fashion-mnist".
    std::string description;
};

}  // namespace ddsm
