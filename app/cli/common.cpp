#include "common.h"

#include "base/error.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/open_denoiser.h"
#include "io/safetensors.h"

#include <torch/torch.h>

namespace ddsm::cli {

int applyThreads(const Args& args)
{
    const int threads = args.getInt("threads", api::defaultThreadCount());
    api::setThreadCount(threads);
    return threads;
}

api::Model openApiModel(const Args& args)
{
    api::OpenOptions options;
    if (args.has("init")) {
        if (args.get("init", "") != "random")
            throw Error("--init accepts only \"random\"");
        options.randomInit = true;
        options.config = args.get("config", "");
        options.initSeed = args.getSeed("seed-init");
    } else if (!args.positionals().empty()) {
        options.path = args.positionals().front();
    }
    return api::openModel(options);
}

std::shared_ptr<Denoiser> openModel(const Args& args, std::string* description)
{
    const api::Model model = openApiModel(args);
    if (description)
        *description = model.description();
    return model.denoiser();
}

api::Sampler apiSamplerFromArgs(const Args& args)
{
    api::Sampler sampler;
    sampler.kind = args.get("sampler");
    sampler.steps = args.getInt("steps");
    sampler.eta = args.getDouble("eta");
    sampler.variance = args.get("variance");
    sampler.seed = args.getSeed("seed");
    sampler.clipX0 = !args.has("no-clip");
    return sampler;
}

OptionTable samplerOptions(int defaultSteps)
{
    return {
        {"steps", "N", "sampler steps, respaced evenly over T", std::to_string(defaultSteps)},
        {"sampler", "KIND", "ddim or ddpm", "ddim"},
        {"eta", "X", "DDIM eta", "0"},
        {"variance", "V", "DDPM fixedlarge or fixedsmall", "fixedlarge"},
        {"seed", "K", "noise seed", "0"},
        {"no-clip", "", "do not clamp predicted x0 to [-1, 1]"},
    };
}

OptionTable threadsOption() { return {{"threads", "N", "CPU threads", "", "all cores"}}; }

OptionTable modelOptions()
{
    return OptionTable{
               {"init", "random", "use an untrained network instead of MODEL (needs --config)"},
               {"config", "CFG", "architecture JSON for --init random (see configs/)"},
               {"seed-init", "N", "initialisation seed of --init random", "0"},
           } +
           threadsOption();
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
