// ddsm info: what a model holds, for every kind of model openModel opens
// (a model file or a family manifest).
#include "commands.h"
#include "common.h"

#include "base/sha256.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/family_denoiser.h"
#include "family/open_denoiser.h"
#include "io/safetensors.h"
#include "search/latency_profile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace ddsm::cli {

namespace {

// What differs between kinds of model; everything else comes from the Denoiser.
struct ModelSummary {
    std::string architecture;  // one line
    int64_t parameters = 0;
    nlohmann::json architectureJson;
    std::string provenanceJson = "{}";
};

ModelSummary summarize(Denoiser& denoiser, const std::string& path)
{
    ModelSummary s;
    if (auto* slimmable = dynamic_cast<SlimmableDenoiser*>(&denoiser)) {
        const NetConfig& c = slimmable->net().config();
        for (const auto& p : slimmable->net().parameters())
            s.parameters += p.numel();
        s.architecture = describe(c);
        s.architectureJson = toJson(c);
        const auto metadata = readSafetensorsMetadata(path);
        if (const auto provenance = metadata.find("provenance"); provenance != metadata.end())
            s.provenanceJson = provenance->second;
    } else if (const auto* family = dynamic_cast<const FamilyDenoiser*>(&denoiser)) {
        nlohmann::json members = nlohmann::json::array();
        for (const auto& m : family->members()) {
            s.parameters += m.parameters;
            members.push_back({{"name", m.name}, {"file", m.file}, {"width", m.width}, {"parameters", m.parameters},
                               {"macs", m.macsPerImage}, {"macs_source", m.costSource}});
        }
        s.architecture = "family \"" + family->name() + "\": " + std::to_string(family->members().size()) +
                         " separately trained networks, " + std::to_string(family->imageSize()) + "x" +
                         std::to_string(family->imageSize()) + "x" + std::to_string(family->channels());
        s.architectureJson = {{"family", family->name()},
                              {"image_size", family->imageSize()},
                              {"channels", family->channels()},
                              {"diffusion", toJson(family->diffusion())},
                              {"members", members}};
    }
    return s;
}

}  // namespace

int runInfo(const std::vector<std::string>& argv)
{
    const Args args(argv, {"threads", "batch", "rounds"}, {"json", "latency"});
    if (args.wantsHelp() || args.positionals().size() != 1) {
        std::fputs("usage: ddsm info MODEL [--json] [--latency [--batch B] [--rounds R] [--threads N]]\n\n"
                   "Architecture, widths, parameters, MACs per width and provenance of a model file, or the\n"
                   "members of a family manifest.\n"
                   "--latency also times one network call per width on this machine (batches of B images,\n"
                   "default 64, widths round-robin, median of R rounds, default 5) and prints ms per image-step.\n",
                   args.wantsHelp() ? stdout : stderr);
        return args.wantsHelp() ? 0 : 2;
    }
    const int threads = applyThreads(args);
    const std::string path = args.positionals().front();
    const auto denoiser = openModel(args);
    const ModelSummary summary = summarize(*denoiser, path);
    const std::vector<double> widths = denoiser->widths();
    const DiffusionConfig& d = denoiser->diffusion();
    if (args.has("json")) {
        nlohmann::json j{{"path", path},
                         {"sha256", sha256OfFile(path)},
                         {"architecture", summary.architectureJson},
                         {"parameters", summary.parameters},
                         {"provenance", nlohmann::json::parse(summary.provenanceJson)}};
        for (double w : widths)
            j["macs_per_width"][std::to_string(w)] = std::llround(denoiser->macsPerImage(w));
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("model:       %s\nsha256:      %s\narchitecture: %s\nparameters:  %lld (%.2f MB as float32)\n",
                path.c_str(), sha256OfFile(path).c_str(), summary.architecture.c_str(),
                static_cast<long long>(summary.parameters), summary.parameters * 4 / 1e6);
    std::printf("diffusion:   T %d, %s betas %g..%g, %s prediction\n", d.T, d.betaSchedule.c_str(), d.betaStart,
                d.betaEnd, d.prediction.c_str());
    std::printf("\n%-8s %14s %12s %10s\n", "width", "MACs/image", "GFLOPs", "vs full");
    const double full = denoiser->macsPerImage(widths.front());
    for (double w : widths) {
        const double macs = denoiser->macsPerImage(w);
        std::printf("%-8g %14.0f %12.4f %9.1f%%\n", w, macs, 2e-9 * macs, 100 * macs / full);
    }
    if (dynamic_cast<const FamilyDenoiser*>(denoiser.get())) {
        std::printf("\n");
        for (double w : widths)
            std::printf("%s\n", describeWidth(*denoiser, w).c_str());
    }
    if (args.has("latency")) {
        LatencyOptions options;
        options.batchSize = args.getInt("batch", 64);
        options.rounds = args.getInt("rounds", 5);
        const CostModel latency = measureLatencyCostModel(*denoiser, widths, options);
        std::printf("\nmeasured latency (batch %d, median of %d rounds, %d threads)\n%-8s %16s %12s %12s\n",
                    options.batchSize, options.rounds, threads, "width", "ms/image-step", "vs full", "GFLOP/s");
        for (size_t i = 0; i < widths.size(); ++i) {
            const double ms = latency.perWidth[i];
            std::printf("%-8g %16.4f %11.1f%% %12.1f\n", widths[i], ms, 100 * ms / latency.perWidth[0],
                        2e-9 * denoiser->macsPerImage(widths[i]) / (ms * 1e-3));
        }
    }
    std::printf("\nprovenance:  %s\n", summary.provenanceJson.c_str());
    return 0;
}

}  // namespace ddsm::cli
