#include "common.h"

#include "base/error.h"
#include "base/threads.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/open_denoiser.h"
#include "io/safetensors.h"

#include <torch/torch.h>

namespace ddsm::cli {

int applyThreads(const Args& args)
{
    const int threads = args.getInt("threads", defaultThreadCount());
    if (threads < 1)
        throw Error("--threads must be at least 1");
    torch::set_num_threads(threads);
    return threads;
}

std::shared_ptr<Denoiser> openModel(const Args& args, std::string* description)
{
    const c10::Device device(c10::kCPU);
    if (args.has("init")) {
        if (args.get("init", "") != "random")
            throw Error("--init accepts only \"random\"");
        const auto config = args.get("config");
        if (!config)
            throw Error("--init random needs --config CFG (an architecture JSON, e.g. configs/fmnist-small.json)");
        auto net = std::make_shared<SlimmableUNet>(loadNetConfig(*config));
        net->initialize(args.getSeed("seed-init", 0));
        if (description)
            *description = "untrained network (" + *config + ")";
        return std::make_shared<SlimmableDenoiser>(net, "untrained", device);
    }
    if (args.positionals().empty())
        throw Error("no MODEL given (a .safetensors model file, or --init random --config CFG)");
    const std::string path = args.positionals().front();
    if (description)
        *description = path;
    return openDenoiser(path, device);
}

LoadedModel openSlimmableModel(const std::string& path, const std::string& use)
{
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

ModelShape shapeOf(const Denoiser& denoiser)
{
    return {denoiser.imageSize(), denoiser.channels(), denoiser.diffusion(), denoiser.widths()};
}

}  // namespace ddsm::cli
