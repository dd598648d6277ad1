// ddsm info: what a model file holds.
#include "commands.h"
#include "common.h"

#include "base/sha256.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"
#include "search/latency_profile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>

namespace ddsm::cli {

int runInfo(const std::vector<std::string>& argv)
{
    const Args args(argv, {"threads", "batch", "rounds"}, {"json", "latency"});
    if (args.wantsHelp() || args.positionals().size() != 1) {
        std::fputs("usage: ddsm info MODEL [--json] [--latency [--batch B] [--rounds R] [--threads N]]\n\n"
                   "Architecture, widths, parameters, MACs per width and provenance of a model file.\n"
                   "--latency also times one network call per width on this machine (batches of B images,\n"
                   "default 64, widths round-robin, median of R rounds, default 5) and prints ms per image-step.\n",
                   args.wantsHelp() ? stdout : stderr);
        return args.wantsHelp() ? 0 : 2;
    }
    const int threads = applyThreads(args);
    const std::string path = args.positionals().front();
    const LoadedModel model = loadModel(path);
    const NetConfig& c = model.config;
    int64_t parameters = 0;
    for (const auto& p : model.net->parameters())
        parameters += p.numel();
    if (args.has("json")) {
        nlohmann::json j{{"path", path},
                         {"sha256", sha256OfFile(path)},
                         {"architecture", toJson(c)},
                         {"parameters", parameters},
                         {"provenance", nlohmann::json::parse(model.provenanceJson)}};
        for (double w : c.widths)
            j["macs_per_width"][std::to_string(w)] = totalMacs(c, w);
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("model:       %s\nsha256:      %s\narchitecture: %s\nparameters:  %lld (%.2f MB as float32)\n",
                path.c_str(), sha256OfFile(path).c_str(), describe(c).c_str(), static_cast<long long>(parameters),
                parameters * 4 / 1e6);
    std::printf("diffusion:   T %d, %s betas %g..%g, %s prediction\n", c.diffusion.T, c.diffusion.betaSchedule.c_str(),
                c.diffusion.betaStart, c.diffusion.betaEnd, c.diffusion.prediction.c_str());
    std::printf("\n%-8s %14s %12s %10s\n", "width", "MACs/image", "GFLOPs", "vs full");
    const double full = double(totalMacs(c, 1.0));
    for (double w : c.widths) {
        const double macs = double(totalMacs(c, w));
        std::printf("%-8g %14.0f %12.4f %9.1f%%\n", w, macs, 2e-9 * macs, 100 * macs / full);
    }
    if (args.has("latency")) {
        LatencyOptions options;
        options.batchSize = args.getInt("batch", 64);
        options.rounds = args.getInt("rounds", 5);
        model.net->eval();
        SlimmableDenoiser denoiser(model.net, path, torch::kCPU);
        const CostModel latency = measureLatencyCostModel(denoiser, c.widths, options);
        std::printf("\nmeasured latency (batch %d, median of %d rounds, %d threads)\n%-8s %16s %12s %12s\n",
                    options.batchSize, options.rounds, threads, "width", "ms/image-step", "vs full", "GFLOP/s");
        for (size_t i = 0; i < c.widths.size(); ++i) {
            const double ms = latency.perWidth[i];
            std::printf("%-8g %16.4f %11.1f%% %12.1f\n", c.widths[i], ms, 100 * ms / latency.perWidth[0],
                        2e-9 * double(totalMacs(c, c.widths[i])) / (ms * 1e-3));
        }
    }
    std::printf("\nprovenance:  %s\n", model.provenanceJson.c_str());
    return 0;
}

}  // namespace ddsm::cli
