#include "common.h"

#include "base/error.h"
#include "base/threads.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/open_denoiser.h"

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

ModelShape shapeOf(const Denoiser& denoiser)
{
    return {denoiser.imageSize(), denoiser.channels(), denoiser.diffusion(), denoiser.widths()};
}

}  // namespace ddsm::cli
