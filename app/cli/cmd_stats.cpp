// ddsm stats: reference statistics (mean and covariance of features) of a data
// set, as a .npz that pytorch-fid reads; optionally the distance to another.
#include "commands.h"
#include "common.h"
#include "feature_options.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/frechet_accumulator.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm stats --data DATA [--out ref.npz] [--ref other.npz] [options]\n"
    "\n"
    "Features of every image of DATA, their mean (mu) and covariance (sigma) written\n"
    "as .npz (pytorch-fid's layout, plus count, feature_name and source). With --ref,\n"
    "also prints the Frechet distance of DATA to those statistics with a bootstrap\n"
    "interval, e.g. the test set against the training set: the noise floor.\n"
    "\n"
    "  --data DATA          fashion-mnist[:train|:test][:DIR] or a folder of images\n"
    "  --limit N            only the first N images\n"
    "  --image-size N       folders: resize to NxN (default 28)\n"
    "  --channels C         folders: 1 (default) or 3\n"
    "  --out FILE           statistics to write (.npz)\n"
    "  --source NAME        what the statistics describe (default: the data spec and count)\n"
    "  --batch N            images per feature batch (default 500)\n"
    "  --threads N          CPU threads (default: all cores)\n";

}  // namespace

int runStats(const std::vector<std::string>& argv)
{
    auto valueOptions = kFeatureValueOptions;
    valueOptions.insert({"data", "limit", "image-size", "channels", "out", "source", "batch", "threads"});
    const Args args(argv, valueOptions, {});
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, kFeatureOptionsHelp);
        return 0;
    }
    applyThreads(args);
    const auto dataSpec = args.get("data");
    if (!dataSpec)
        throw Error("--data DATA is required");
    if (!args.has("out") && !args.has("ref"))
        throw Error("nothing to do: give --out FILE, --ref FILE or both");
    auto extractor = openFeatures(args);
    GaussianStats reference;
    if (const auto ref = args.get("ref")) {
        reference = loadStatsNpz(*ref);
        requireMatchingReference(reference, *extractor);
    }
    ImageFolderOptions folder;
    folder.limit = args.getInt("limit", -1);
    folder.image_size = args.getInt("image-size", 28);
    folder.channels = args.getInt("channels", 1);
    const auto data = loadDataset(*dataSpec, folder);
    std::printf("data: %s\nfeatures: %s (%lld-d)\n", data.description.c_str(), extractor->name().c_str(),
                (long long)extractor->dim());

    const auto start = std::chrono::steady_clock::now();
    const auto features = extractFeatures(*extractor, data.images, args.getInt64("batch", 500),
                                          [](int64_t done, int64_t total) {
                                              std::fprintf(stderr, "\r  features %lld/%lld", (long long)done,
                                                           (long long)total);
                                          });
    std::fprintf(stderr, "\n");
    GaussianStats stats = computeStats(features);
    stats.featureName = extractor->name();
    stats.source = args.get("source", *dataSpec + "-" + std::to_string(stats.count));
    std::printf("%lld images in %.1f s: trace(sigma) %.4f, |mu| %.4f\n", (long long)stats.count,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                stats.sigma.trace().item<double>(), stats.mu.norm().item<double>());
    if (const auto out = args.get("out")) {
        saveStatsNpz(*out, stats);
        std::printf("wrote %s (source \"%s\")\n", out->c_str(), stats.source.c_str());
    }
    if (args.has("ref")) {
        reference.featureName = extractor->name();
        FrechetAccumulator accumulator(reference);
        accumulator.add(features);
        std::printf("distance of %s to %s:\n  %s\n", dataSpec->c_str(), args.get("ref", "").c_str(),
                    accumulator.current().toString().c_str());
    }
    return 0;
}

}  // namespace ddsm::cli
