#pragma once
// DDSM Studio model files: .safetensors with the weights of one slimmable UNet
// and, in "__metadata__", the format tag and version, the architecture and
// diffusion settings (the net config JSON) and provenance JSON. Python's
// safetensors reads them; loading never executes code.
#include "engine/net_config.h"

#include <c10/core/Device.h>

#include <memory>
#include <string>

namespace ddsm {

class SlimmableUNet;
class SlimmableDenoiser;

inline constexpr const char* kModelFormat = "ddsm-model";
inline constexpr int kModelFormatVersion = 1;

struct LoadedModel {
    std::shared_ptr<SlimmableUNet> net;
    NetConfig config;
    std::string provenanceJson;  // free-form object: how the weights were made
    std::string path;
};

// `provenanceJson` must be a JSON object (e.g. {"created_by": "ddsm train", "steps": 20000}).
void saveModel(const std::string& path, SlimmableUNet& net, const std::string& provenanceJson);

// Validates everything before building the network: format tag and version,
// config, every expected tensor present with its shape and dtype, no unknown
// tensors. Any problem is one ddsm::Error naming the file and the tensor/field.
LoadedModel loadModel(const std::string& path);

std::shared_ptr<SlimmableDenoiser> openSlimmableDenoiser(const std::string& path, c10::Device device);

}  // namespace ddsm
