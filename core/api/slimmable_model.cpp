// A model file opened for what needs the slimmable network itself (widening,
// training on from its weights).
#include "api/api_internal.h"

#include "base/error.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/open_denoiser.h"
#include "io/safetensors.h"

#include <torch/torch.h>

namespace ddsm::api {

LoadedModel openSlimmableModel(const std::string& path, const std::string& use)
{
    // Opened as openModel opens any model, so every kind of file gets the same checks and messages.
    const auto denoiser = std::dynamic_pointer_cast<SlimmableDenoiser>(openDenoiser(path, c10::Device(c10::kCPU)));
    if (!denoiser)
        throw Error(path + ": " + use + " needs a model file (.safetensors) holding one slimmable network, not a "
                                        "family of separately trained networks");
    LoadedModel model;
    model.net = std::shared_ptr<SlimmableUNet>(denoiser, &denoiser->net());  // keeps the denoiser alive
    model.config = model.net->config();
    const auto metadata = readSafetensorsMetadata(path);
    const auto provenance = metadata.find("provenance");
    model.provenanceJson = provenance == metadata.end() ? "{}" : provenance->second;
    model.path = path;
    return model;
}

}  // namespace ddsm::api
