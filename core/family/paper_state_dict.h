#pragma once
// Loads a state dict of the paper's SlimmableUNet into our SlimmableUNet.
// Parameter names are the same by design; the one extra paper tensor is the
// frozen sinusoidal table time_embedding.timembedding.0.weight, which our
// network computes instead (it is checked, not stored).
#include "engine/net_config.h"
#include "family/paper_architecture.h"
#include "io/safetensors.h"

#include <memory>
#include <string>

namespace ddsm {

class SlimmableUNet;

inline constexpr const char* kPaperTimeTable = "time_embedding.timembedding.0.weight";

TensorShapes shapesOf(const NamedTensors& tensors);

// Builds the network for `config` and copies every tensor in. Everything is
// checked first — each expected tensor present with its shape, no unexpected
// tensor, the time table equal to the DDPM code's — so a failure leaves
// nothing behind. Errors name `where` and the tensor.
std::shared_ptr<SlimmableUNet> loadPaperStateDict(const NamedTensors& stateDict, const NetConfig& config,
                                                  const std::string& where);

}  // namespace ddsm
