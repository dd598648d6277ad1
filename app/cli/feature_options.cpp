#include "feature_options.h"

#include "base/error.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/stats_file.h"

namespace ddsm::cli {

std::unique_ptr<FeatureExtractor> openFeatures(const Args& args)
{
    TorchScriptFeatureOptions options;
    options.output = args.get("feature-output", "");
    options.inputSize = args.getInt("feature-size");
    options.range = args.get("feature-range");
    options.channels = args.getInt("feature-channels");
    return openFeatureExtractor(args.get("features", "default"), options);
}

GaussianStats openReference(const Args& args, const FeatureExtractor& extractor)
{
    const bool defaultFeatures = args.get("features", "default") == "default";
    if (!args.has("ref") && !defaultFeatures)
        throw Error("--ref FILE is required with --features other than the default (make one with `ddsm stats`)");
    const auto stats = loadStatsNpz(args.get("ref", defaultReferenceStatsPath()));
    requireMatchingReference(stats, extractor);
    return stats;
}

}  // namespace ddsm::cli
