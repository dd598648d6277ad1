// ddsm fid: FID and KID of a model's samples under a schedule, with intervals.
#include "api_options.h"
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "base/error.h"

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
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"samples", "N", "images to generate", "2000"},
               {"batch", "N", "images per sampler batch", "250"},
               {"kid-data", "DATA", "real images for KID; \"none\" skips KID\n", "",
                "fashion-mnist with the default\nfeatures, else none"},
               {"kid-count", "N", "real images for KID", "10000"},
               {"rounds", "N", "bootstrap rounds of the FID interval", "200"},
           } +
           scheduleOptions() + samplerOptions(50) + featureOptions() + modelOptions() + distributedOptions();
}

}  // namespace

int runFid(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str());
        return 0;
    }
    api::QualityOptions options;
    options.distributed = distributedConfigFromArgs(args);
    applyThreads(args);
    options.samples = args.getInt("samples");
    options.batch = args.getInt("batch");
    options.bootstrapRounds = args.getInt("rounds");
    if (options.samples < 2 || options.batch < 1 || options.bootstrapRounds < 2)
        throw Error("--samples must be at least 2, --batch at least 1, --rounds at least 2");

    const api::Model model = openApiModel(args);
    options.schedule = scheduleRequestFromArgs(args);
    options.sampler = apiSamplerFromArgs(args);
    options.features = featureOptionsFromArgs(args);
    options.kidData = args.get("kid-data", "");
    options.kidCount = args.getInt("kid-count");
    options.progress = [&](const api::QualityProgress& p) {
        switch (p.stage) {
        case api::QualityProgress::Stage::Note:
            std::fprintf(stderr, "%s\n", p.note.c_str());
            break;
        case api::QualityProgress::Stage::KidReference:
            std::printf("KID reference: %s\n", p.kidReference.c_str());
            break;
        case api::QualityProgress::Stage::Started:
            std::printf("model: %s\nschedule: %s\nsampler: %s\ncost: %.4f GFLOPs per image (saving %.1f%% vs full width)\n",
                        p.plan->model.c_str(), p.plan->schedule.c_str(), p.plan->sampler.c_str(), p.plan->gflopsPerImage,
                        100 * p.plan->saving);
            if (p.plan->ranks > 1)
                std::printf("ranks: %d, batches of %d dealt out round-robin\n", p.plan->ranks, p.plan->batch);
            std::fflush(stdout);
            break;
        case api::QualityProgress::Stage::Batch:
            std::fprintf(stderr, "  %lld/%lld samples, %.0f s: %s\n", static_cast<long long>(p.done),
                         static_cast<long long>(p.total), p.seconds, p.fid->toString().c_str());
            break;
        }
    };
    const api::QualityResult result = api::measureQuality(model, options);
    if (!result.mainRank)
        return 0;
    std::printf("%s\n", result.fid.toString().c_str());
    if (result.kid)
        std::printf("%s\n", result.kid->toString().c_str());
    std::printf("%d samples in %.1f s (%.1f images/s)\n", result.samples, result.seconds,
                result.samples / result.seconds);
    return 0;
}

}  // namespace ddsm::cli
