// ddsm importance: how much each width departs from the full network, per
// bin of training timesteps (api::measureImportance); CSV and PNG.
#include "api_options.h"
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm importance (MODEL | --init random --config CFG) --out PREFIX [options]\n"
    "\n"
    "Step importance of each narrow width per bin of training timesteps (bin 0 starts\n"
    "at t = 0, the clean end): the mean squared difference of its epsilon from the\n"
    "full network's on real images noised to t; with --distance-samples, also the FID\n"
    "change when only that bin is narrowed (same noise as full width). Writes\n"
    "PREFIX.csv and PREFIX.png. The sampler options set the sampler of the distances\n"
    "(default ddim, 20 steps, eta 0), recorded in the CSV's first line; the app loads\n"
    "NAME-importance-TAG.csv for its sampler (e.g. TAG ddpm100). Ctrl-C stops\n"
    "between batches and writes nothing.\n"
    "\n";

const char* kHelpTail =
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm importance ...) the batches of both\n"
    "measures are dealt out round-robin, each image keeping its draws, and their\n"
    "results gathered in batch order: the figures equal one process's. Rank 0\n"
    "prints them and writes the files.\n";

OptionTable optionTable()
{
    const api::ImportanceOptions defaults;
    return OptionTable{
               {"out", "PREFIX", "output path without extension"},
               {"data", "DATA", "real images", defaults.data},
               {"bins", "N", "timestep bins", std::to_string(defaults.bins)},
               {"images-per-bin", "N", "noised images per bin", std::to_string(defaults.imagesPerBin)},
               {"distance-samples", "N", "samples per distance, 0 = skip", std::to_string(defaults.distanceSamples)},
               {"batch", "N", "images per batch", std::to_string(defaults.batch)},
           } +
           samplerOptions(defaults.sampler.steps).withHelp("seed", "images, timesteps and noise; sampler seed") +
           featureOptions() + modelOptions() + distributedOptions();
}

}  // namespace

int runImportance(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str(), kHelpTail);
        return 0;
    }
    api::ImportanceOptions options;
    options.distributed = distributedConfigFromArgs(args);
    applyThreads(args);
    const auto out = args.given("out");
    if (!out)
        throw Error("--out PREFIX is required");
    const api::Model model = openApiModel(args);
    options.data = args.get("data");
    options.bins = args.getInt("bins");
    options.imagesPerBin = args.getInt64("images-per-bin");
    options.batch = args.getInt64("batch");
    options.distanceSamples = args.getInt("distance-samples");
    options.sampler = apiSamplerFromArgs(args);
    options.features = featureOptionsFromArgs(args);
    options.progress = [](const api::ImportanceProgress& p) {
        switch (p.stage) {
        case api::ImportanceProgress::Stage::Started:
            if (p.ranks > 1)
                std::printf("ranks: %d, batches dealt out round-robin\n", p.ranks);
            break;
        case api::ImportanceProgress::Stage::EpsDeparture:
            std::fprintf(stderr, "\r  eps departure: bin %d/%d%s", p.done, p.total, p.done == p.total ? "\n" : "");
            break;
        case api::ImportanceProgress::Stage::DistanceChanges:
            std::fprintf(stderr, "\r  distance changes: batch %d/%d%s", p.done, p.total, p.done == p.total ? "\n" : "");
            break;
        }
    };
    options.cancel = cancelOnInterrupt();
    const api::ImportanceResult result = api::measureImportance(model, options);
    if (result.cancelled) {
        if (result.mainRank)
            std::fprintf(stderr, "\nstopped: nothing written\n");
        return kInterruptedExit;
    }
    if (!result.mainRank)
        return 0;
    const api::ImportanceProfile& importance = result.profile;
    if (options.distanceSamples > 0)
        std::printf("full-width distance %.3f (%d samples; %s)\n", importance.fullWidthDistance,
                    options.distanceSamples, importance.distanceSettings.c_str());
    api::writeImportanceProfile(importance, *out, "step importance: " + model.description());
    std::printf("model: %s\ndata: %s, %lld noised images per bin\n", model.description().c_str(),
                result.data.c_str(), static_cast<long long>(options.imagesPerBin));
    std::printf("%11s", "t");
    for (double w : importance.widths)
        std::printf("  eps-dep@%-5g", w);
    std::printf("\n");
    for (int b = importance.bins() - 1; b >= 0; --b) {
        std::printf("%4d..%4d ", importance.binEdges[b], importance.binEdges[b + 1] - 1);
        for (double d : importance.epsDeparture[b])
            std::printf("  %13.6f", d);
        std::printf("\n");
    }
    std::printf("wrote %s.csv and %s.png\n", out->c_str(), out->c_str());
    return 0;
}

}  // namespace ddsm::cli
