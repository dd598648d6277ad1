// ddsm importance: how much each width departs from the full network, per
// bin of training timesteps; CSV and PNG.
#include "commands.h"
#include "common.h"
#include "distributed_options.h"
#include "feature_options.h"
#include "schedule_options.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "data/dataset_spec.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/step_importance.h"

#include <torch/torch.h>

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
    "NAME-importance-TAG.csv for its sampler (e.g. TAG ddpm100).\n"
    "\n";

const char* kHelpTail =
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm importance ...) the batches of both\n"
    "measures are dealt out round-robin, each image keeping its draws, and their\n"
    "results gathered in batch order: the figures equal one process's. Rank 0\n"
    "prints them and writes the files.\n";

OptionTable optionTable()
{
    return OptionTable{
               {"out", "PREFIX", "output path without extension"},
               {"data", "DATA", "real images", "fashion-mnist"},
               {"bins", "N", "timestep bins", "10"},
               {"images-per-bin", "N", "noised images per bin", "512"},
               {"distance-samples", "N", "samples per distance, 0 = skip", "0"},
               {"batch", "N", "images per batch", "250"},
           } +
           samplerOptions(20).withHelp("seed", "images, timesteps and noise; sampler seed") +
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
    const DistributedConfig distributed = distributedConfigFromArgs(args);
    applyThreads(args);
    const auto out = args.given("out");
    if (!out)
        throw Error("--out PREFIX is required");
    const auto group = ProcessGroup::create(distributed);
    const bool main = group->isMain();
    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    const ModelShape config = shapeOf(*denoiser);
    ImageFolderOptions folder;
    folder.image_size = config.imageSize;
    folder.channels = config.channels;
    const auto data = loadDataset(args.get("data"), folder);

    EpsDepartureSettings settings;
    settings.bins = args.getInt("bins");
    settings.imagesPerBin = args.getInt64("images-per-bin");
    settings.batch = args.getInt64("batch");
    settings.seed = args.getSeed("seed");
    if (main && group->worldSize() > 1)
        std::printf("ranks: %d, batches dealt out round-robin\n", group->worldSize());
    const auto progress = [main](const char* what) {
        return [main, what](int done, int total) {
            if (main)
                std::fprintf(stderr, "\r  %s %d/%d", what, done, total);
        };
    };
    auto importance = measureEpsDeparture(*denoiser, data.images, settings,
                                          progress("eps departure: bin"), group.get());
    if (main)
        std::fprintf(stderr, "\n");

    const int distanceSamples = args.getInt("distance-samples");
    if (distanceSamples > 0) {
        auto extractor = openFeatures(args);
        const auto reference = openReference(args, *extractor);
        const SamplerSettings sampler = samplerFromArgs(args, config.diffusion.T);
        measureDistanceChanges(importance, *denoiser, *extractor, reference, sampler, distanceSamples,
                               int(settings.batch), progress("distance changes: batch"), group.get());
        if (!main)
            return 0;
        std::fprintf(stderr, "\n");
        std::printf("full-width distance %.3f (%d samples; %s)\n", importance.fullWidthDistance, distanceSamples,
                    importance.distanceSettings.c_str());
    }
    if (!main)
        return 0;
    writeFileAtomically(*out + ".csv", importanceCsv(importance));
    writeImportancePlot(*out + ".png", importance, "step importance: " + modelDescription);
    std::printf("model: %s\ndata: %s, %lld noised images per bin\n", modelDescription.c_str(),
                data.description.c_str(), static_cast<long long>(settings.imagesPerBin));
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
