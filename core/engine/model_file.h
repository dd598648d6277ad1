#pragma once
// DDSM Studio model files: .safetensors with the weights of one slimmable UNet
// and, in "__metadata__", the format tag and version, the architecture and
// diffusion settings (the net config JSON) and provenance JSON. Python's
// safetensors reads them; loading never executes code.
#include "engine/model_metadata.h"
#include "engine/net_config.h"

#include <c10/core/Device.h>

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <set>
#include <string>

namespace ddsm {

class SlimmableUNet;
class SlimmableDenoiser;

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

// Copies `tensors` into `net`'s parameters after checking that every parameter
// is there with its shape and a floating-point dtype and that no tensor is
// unknown (names in `ignored` may be present too). On any problem: one
// ddsm::Error naming `where` and the tensor, and nothing is copied.
void loadParameters(SlimmableUNet& net, const std::map<std::string, at::Tensor>& tensors, const std::string& where,
                    const std::set<std::string>& ignored = {});

// "[128, 3, 3, 3]", for messages.
std::string shapeText(c10::IntArrayRef shape);

std::shared_ptr<SlimmableDenoiser> openSlimmableDenoiser(const std::string& path, c10::Device device);

}  // namespace ddsm
