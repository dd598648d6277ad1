// Reference statistics of a data set (`ddsm stats`): features of every image,
// their mean and covariance as pytorch-fid's .npz, and optionally the Frechet
// distance of the data to other statistics.
#include "api/api_internal.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/frechet_accumulator.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

#include <chrono>

namespace ddsm::api {

StatsResult referenceStats(const StatsOptions& options)
{
    torch::NoGradGuard noGrad;
    const auto notify = [&](const StatsProgress& p) {
        if (options.progress)
            options.progress(p);
    };
    auto extractor = openFeatures(options.features);
    GaussianStats reference;
    if (!options.features.reference.empty()) {
        reference = loadStatsNpz(options.features.reference);
        requireMatchingReference(reference, *extractor);
    }
    ImageFolderOptions folder;
    folder.limit = options.limit;
    folder.image_size = options.imageSize;
    folder.channels = options.channels;
    const auto data = loadDataset(options.data, folder);
    StatsProgress loaded;
    loaded.data = data.description;
    loaded.featureName = extractor->name();
    loaded.featureDim = extractor->dim();
    notify(loaded);

    const auto start = std::chrono::steady_clock::now();
    const auto features = extractFeatures(*extractor, data.images, options.batch, [&](int64_t done, int64_t total) {
        StatsProgress p;
        p.stage = StatsProgress::Stage::Features;
        p.done = done;
        p.total = total;
        notify(p);
    });
    GaussianStats stats = computeStats(features);
    stats.featureName = extractor->name();
    stats.source = !options.source.empty() ? options.source : options.data + "-" + std::to_string(stats.count);
    StatsResult result;
    result.count = stats.count;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.traceSigma = stats.sigma.trace().item<double>();
    result.muNorm = stats.mu.norm().item<double>();
    result.source = stats.source;
    StatsProgress computed;
    computed.stage = StatsProgress::Stage::Computed;
    computed.result = &result;
    notify(computed);
    if (!options.outPath.empty())
        saveStatsNpz(options.outPath, stats);
    if (!options.features.reference.empty()) {
        reference.featureName = extractor->name();
        FrechetAccumulator accumulator(reference);
        accumulator.add(features);
        result.distance = accumulator.current();
    }
    return result;
}

}  // namespace ddsm::api
