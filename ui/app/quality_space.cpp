#include "quality_space.h"

#include "quality_jobs.h"

#include "base/error.h"
#include "data/fashion_mnist.h"
#include "engine/denoiser.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

#include <filesystem>

namespace ddsm::ui {

namespace {

// Real-image features for KID: few enough to load in a second.
constexpr int kKidReferenceImages = 2000;

// Undefined without the dataset: KID is optional, FID is measured anyway.
at::Tensor kidReferenceFeatures(FeatureExtractor& extractor)
{
    try {
        const auto data = loadFashionMnist(kFashionMnistDefaultDir, FashionMnistSplit::Train, kKidReferenceImages);
        return extractFeatures(extractor, data.images);
    } catch (const Error&) {
        return {};
    }
}

}  // namespace

QualitySpace openQualitySpace(const Denoiser& denoiser, bool withKidReference)
{
    const std::string classifier = defaultFeatureClassifierPath();
    const std::string stats = defaultReferenceStatsPath();
    for (const auto& path : {classifier, stats})
        if (!std::filesystem::exists(path))
            throw Error("quality needs the shipped feature network and reference statistics; " + path +
                        " is missing (set DDSM_MODELS_DIR to the folder that holds them)");
    QualitySpace space;
    space.extractor = openFeatureExtractor(classifier);
    space.reference = loadStatsNpz(stats);
    requireMatchingReference(space.reference, *space.extractor);
    // The feature network must take this model's images; it names both shapes if not.
    const auto probe = torch::zeros({2, denoiser.channels(), denoiser.imageSize(), denoiser.imageSize()});
    try {
        space.extractor->features(probe);
    } catch (const std::exception& e) {
        throw Error(std::string("the shipped feature network cannot score this model's images: ") + e.what());
    }
    if (withKidReference)
        space.kidReference = kidReferenceFeatures(*space.extractor);
    return space;
}

const QualitySpace& QualitySpaceCache::get(const Denoiser& denoiser, bool withKidReference)
{
    if (!space_ || channels_ != denoiser.channels() || imageSize_ != denoiser.imageSize()) {
        space_ = std::make_unique<QualitySpace>(openQualitySpace(denoiser, withKidReference));
        channels_ = denoiser.channels();
        imageSize_ = denoiser.imageSize();
        kidTried_ = withKidReference;
    } else if (withKidReference && !kidTried_) {
        space_->kidReference = kidReferenceFeatures(*space_->extractor);
        kidTried_ = true;
    }
    return *space_;
}

std::shared_ptr<QualitySpaceCache> makeQualitySpaceCache() { return std::make_shared<QualitySpaceCache>(); }

}  // namespace ddsm::ui
