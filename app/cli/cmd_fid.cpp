// ddsm fid: FID and KID of a model's samples under a schedule, with intervals.
#include "commands.h"
#include "common.h"
#include "feature_options.h"
#include "schedule_options.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm fid (MODEL | --init random --config CFG) [--schedule S | --width W] [options]\n"
    "\n"
    "Samples --samples images (image i from the same noise as `ddsm sample --seed`)\n"
    "and prints FID against reference statistics and KID against real images, each\n"
    "with its 95% interval, the sample count, feature network and reference.\n"
    "FID is biased upwards at small sample counts; KID is not.\n"
    "On N ranks (ddsm launch --nproc N -- ddsm fid ...) the batches are dealt out\n"
    "round-robin and their features gathered in image order: the figures equal one\n"
    "process's. Rank 0 prints them.\n"
    "\n"
    "  --samples N          images to generate (default 2000)\n"
    "  --batch N            images per sampler batch (default 250)\n"
    "  --kid-data DATA      real images for KID (default: the first 10000 of\n"
    "                       fashion-mnist with the default features; \"none\" skips KID)\n"
    "  --kid-count N        real images for KID (default 10000)\n"
    "  --rounds N           bootstrap rounds of the FID interval (default 200)\n";

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int runFid(const std::vector<std::string>& argv)
{
    auto valueOptions = kScheduleValueOptions;
    valueOptions.insert(kFeatureValueOptions.begin(), kFeatureValueOptions.end());
    valueOptions.insert({"samples", "batch", "kid-data", "kid-count", "rounds", "init", "config", "seed-init", "threads"});
    valueOptions.insert(kDistributedValueOptions.begin(), kDistributedValueOptions.end());
    const Args args(argv, valueOptions, kScheduleFlagOptions);
    if (args.wantsHelp()) {
        std::printf("%s%s%s%s%s", kHelp, kScheduleOptionsHelp, kFeatureOptionsHelp, kModelOptionsHelp,
                    kDistributedOptionsHelp);
        return 0;
    }
    const DistributedConfig distributed = distributedConfig([&](const std::string& flag) { return args.get(flag); });
    applyThreads(args);
    const int samples = args.getInt("samples", 2000);
    const int batch = args.getInt("batch", 250);
    const int rounds = args.getInt("rounds", 200);
    if (samples < 2 || batch < 1 || rounds < 2)
        throw Error("--samples must be at least 2, --batch at least 1, --rounds at least 2");

    const auto group = ProcessGroup::create(distributed);
    const bool main = group->isMain();
    const int rank = group->rank(), world = group->worldSize();

    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    const ModelShape config = shapeOf(*denoiser);
    const ScheduleChoice choice = chooseSchedule(args, config.diffusion.T, config.widths);
    auto extractor = openFeatures(args);
    const GaussianStats reference = openReference(args, *extractor);

    at::Tensor kidReference;
    const bool defaultFeatures = args.get("features", "default") == "default";
    const std::string kidData = args.get("kid-data", defaultFeatures ? "fashion-mnist" : "none");
    if (kidData != "none") {
        ImageFolderOptions folder;
        folder.limit = args.getInt("kid-count", 10000);
        folder.image_size = config.imageSize;
        folder.channels = config.channels;
        const auto data = loadDataset(kidData, folder);
        kidReference = extractFeatures(*extractor, data.images);
        if (main)
            std::printf("KID reference: %s\n", data.description.c_str());
    }

    const auto cost = scheduleCost(choice.stepWidths, 1.0, [&](double w) { return denoiser->macsPerImage(w); });
    if (main)
        std::printf("model: %s\nschedule: %s\nsampler: %s\ncost: %.4f GFLOPs per image (saving %.1f%% vs full width)\n",
                    modelDescription.c_str(), choice.document.schedule.description().c_str(),
                    choice.sampler.toString().c_str(), cost.gflopsPerImage(), 100 * cost.saving());
    if (main && world > 1)
        std::printf("ranks: %d, batches of %d dealt out round-robin\n", world, batch);
    std::fflush(stdout);

    const SampleRecipe recipe{choice.sampler, choice.timesteps, choice.stepWidths};
    SampleQualityRun run(*denoiser, *extractor, reference, kidReference, recipe);
    const GaussianDiffusion diffusion(denoiser->diffusion());
    const auto start = std::chrono::steady_clock::now();
    // Batch b holds images b*batch .. (one process's batches); in each round
    // rank r samples batch round*world + r, and every rank adds the gathered
    // features batch by batch, as one process adds them.
    while (run.count() < samples) {
        const int first = int(run.count()) + rank * batch;
        at::Tensor mine = first < samples ? sampleFeatures(*denoiser, diffusion, recipe, *extractor, first,
                                                           std::min(batch, samples - first))
                                          : at::empty({0, extractor->dim()}, at::kFloat);
        for (const auto& features : group->allGatherRows(mine, "gathering the features of a round of batches"))
            if (features.size(0) > 0)
                run.addFeatures(features);
        if (main && run.count() >= 2 && run.count() < samples)
            std::fprintf(stderr, "  %lld/%d samples, %.0f s: %s\n", (long long)run.count(), samples,
                         secondsSince(start), run.fid(50).toString().c_str());
    }
    if (!main)
        return 0;
    const double seconds = secondsSince(start);
    std::printf("%s\n", run.fid(rounds).toString().c_str());
    if (const auto kid = run.kid())
        std::printf("%s\n", kid->toString().c_str());
    std::printf("%d samples in %.1f s (%.1f images/s)\n", samples, seconds, samples / seconds);
    return 0;
}

}  // namespace ddsm::cli
