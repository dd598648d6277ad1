// ddsm stats: reference statistics (mean and covariance of features) of a data
// set, as a .npz that pytorch-fid reads; optionally the distance to another.
#include "api_options.h"
#include "commands.h"
#include "common.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm stats --data DATA [--out ref.npz] [--ref other.npz] [options]\n"
    "\n"
    "Features of every image of DATA, their mean (mu) and covariance (sigma) written\n"
    "as .npz (pytorch-fid's layout, plus count, feature_name and source). With --ref,\n"
    "also prints the Frechet distance of DATA to those statistics with a bootstrap\n"
    "interval, e.g. the test set against the training set: the noise floor.\n"
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"data", "DATA", "fashion-mnist[:train|:test][:DIR] or a folder of images"},
               {"limit", "N", "only the first N images"},
               {"image-size", "N", "folders: resize to NxN", "28"},
               {"channels", "C", "folders: 1 or 3", "1"},
               {"out", "FILE", "statistics to write (.npz)"},
               {"source", "NAME", "what the statistics describe", "", "the data spec and count"},
               {"batch", "N", "images per feature batch", "500"},
           } +
           featureNetworkOptions() +
           OptionTable{
               {"ref", "FILE", "statistics to print DATA's distance to (.npz)"},  // no default: none printed
           } +
           threadsOption();
}

}  // namespace

int runStats(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, table.help().c_str());
        return 0;
    }
    applyThreads(args);
    const auto dataSpec = args.given("data");
    if (!dataSpec)
        throw Error("--data DATA is required");
    if (!args.has("out") && !args.has("ref"))
        throw Error("nothing to do: give --out FILE, --ref FILE or both");
    api::StatsOptions options;
    options.data = *dataSpec;
    options.features = featureOptionsFromArgs(args);
    options.limit = args.getInt("limit", -1);
    options.imageSize = args.getInt("image-size");
    options.channels = args.getInt("channels");
    options.outPath = args.get("out", "");
    options.source = args.get("source", "");
    options.batch = args.getInt64("batch");
    options.progress = [](const api::StatsProgress& p) {
        switch (p.stage) {
        case api::StatsProgress::Stage::Loaded:
            std::printf("data: %s\nfeatures: %s (%lld-d)\n", p.data.c_str(), p.featureName.c_str(),
                        static_cast<long long>(p.featureDim));
            break;
        case api::StatsProgress::Stage::Features:
            std::fprintf(stderr, "\r  features %lld/%lld", static_cast<long long>(p.done), static_cast<long long>(p.total));
            break;
        case api::StatsProgress::Stage::Computed:
            std::fprintf(stderr, "\n");
            std::printf("%lld images in %.1f s: trace(sigma) %.4f, |mu| %.4f\n", static_cast<long long>(p.result->count),
                        p.result->seconds, p.result->traceSigma, p.result->muNorm);
            break;
        }
    };
    const api::StatsResult stats = api::referenceStats(options);
    if (!options.outPath.empty())
        std::printf("wrote %s (source \"%s\")\n", options.outPath.c_str(), stats.source.c_str());
    if (stats.distance)
        std::printf("distance of %s to %s:\n  %s\n", dataSpec->c_str(), options.features.reference.c_str(),
                    stats.distance->toString().c_str());
    return 0;
}

}  // namespace ddsm::cli
