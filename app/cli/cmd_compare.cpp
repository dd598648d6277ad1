// ddsm compare: FID of several schedules on the same noise, each against the
// first with a paired bootstrap interval of the difference. Scoring two
// schedules separately leaves the noise's share of each FID in their
// difference; on the same images it cancels, so the paired interval is the
// one that says whether a cheaper schedule is worse.
#include "api_options.h"
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm compare MODEL A B [C ...] [options]\n"
    "\n"
    "Samples the same images (same noise) under each schedule A, B, ... and prints\n"
    "each one's FID with its 95% interval and its difference from A with a paired\n"
    "bootstrap interval (the same resampled images for both). A schedule is a file\n"
    "(.json or the paper's search.txt) or width:W for a uniform width, e.g.\n"
    "  ddsm compare models/fmnist-default.safetensors width:1 searched.json --samples 1024\n"
    "A schedule may name another model file after '@' (SPEC@MODEL): it is sampled by\n"
    "that model from the same noise, image by image, e.g. width:1@models/old.safetensors\n"
    "(same image shape and T; its own widths). The FLOPs column is relative to MODEL's\n"
    "full width.\n"
    "\n";

const char* kHelpTail =
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm compare ...) each schedule's batches\n"
    "are dealt out round-robin and their features gathered in image order: the\n"
    "figures equal one process's. Rank 0 prints them and writes --json; its seconds\n"
    "are its own share's sampling time.\n";

OptionTable optionTable()
{
    return OptionTable{
               {"samples", "N", "images per schedule", "1024"},
               {"batch", "N", "images per network call", "128"},
               {"bootstrap", "R", "bootstrap rounds of the intervals", "200"},
               {"json", "FILE", "also write the results as JSON"},
               snapWidthsOption(),
               {"feature-store", "DIR",
                "keep full width's features there between runs and read them\n"
                "instead of sampling again (same model file, sampler, seed,\n"
                "batch; its seconds then read 'stored')\n",
                "", "$DDSM_FEATURE_STORE, else\n~/.cache/ddsm-studio/features"},
               {"no-feature-store", "", "sample full width every time"},
           } +
           samplerOptions(50) + featureOptions() + modelOptions() + distributedOptions();
}

}  // namespace

int runCompare(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str(), kHelpTail);
        return 0;
    }
    api::CompareOptions options;
    options.distributed = distributedConfigFromArgs(args);
    const int threads = applyThreads(args);
    if (args.positionals().size() < 3)
        throw Error("give a model and at least two schedules to compare (ddsm compare MODEL A B)");
    options.schedules.assign(args.positionals().begin() + 1, args.positionals().end());

    const api::Model model = openApiModel(args);
    options.sampler = apiSamplerFromArgs(args);
    options.snapWidths = args.has("snap-widths");
    options.features = featureOptionsFromArgs(args);
    options.samples = args.getInt("samples");
    options.batch = args.getInt("batch");
    options.bootstrapRounds = args.getInt("bootstrap");
    options.jsonPath = args.get("json", "");
    options.featureStore = args.has("no-feature-store") ? "" : args.get("feature-store", api::defaultFeatureStore());
    int scored = 0;
    options.progress = [&](const api::CompareProgress& p) {
        if (p.stage == api::CompareProgress::Stage::Note) {
            std::fprintf(stderr, "%s\n", p.note.c_str());
        } else if (p.stage == api::CompareProgress::Stage::Started) {
            const api::ComparePlan& plan = *p.plan;
            std::printf("compare: %s, %s, %d samples each, %d threads\n  quality: %s vs %s\n", plan.model.c_str(),
                        plan.sampler.c_str(), plan.samples, threads, plan.quality.c_str(), plan.reference.c_str());
            if (plan.ranks > 1)
                std::printf("ranks: %d, batches of %d dealt out round-robin\n", plan.ranks, plan.batch);
            std::printf("%7s %28s %32s %9s  %s\n", "FLOPs", "FID [95%]", "minus first [95% paired]", "seconds",
                        "schedule");
            std::fflush(stdout);
        } else {
            const api::ScheduleScore& row = *p.row;
            char fid[64], diff[64] = "";
            std::snprintf(fid, sizeof fid, "%.3f [%.3f, %.3f]", row.fid, row.fidLow, row.fidHigh);
            if (scored++ > 0)
                std::snprintf(diff, sizeof diff, "%+.3f [%+.3f, %+.3f]", row.minusFirst, row.minusFirstLow,
                              row.minusFirstHigh);
            char seconds[32];
            if (row.imagesFromStore > 0)
                std::snprintf(seconds, sizeof seconds, "stored");
            else
                std::snprintf(seconds, sizeof seconds, "%.1f", row.samplingSeconds);
            std::printf("%7.3f %28s %32s %9s  %s\n", row.relativeCost, fid, diff, seconds, row.label.c_str());
            std::fflush(stdout);
        }
    };
    const api::CompareResult result = api::compare(model, options);
    if (result.mainRank && !options.jsonPath.empty())
        std::printf("wrote %s\n", options.jsonPath.c_str());
    return 0;
}

}  // namespace ddsm::cli
