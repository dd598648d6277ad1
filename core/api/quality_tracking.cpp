// One schedule's FID and KID as they firm up batch by batch, and its paired
// difference to full width on the same images (the app's background
// measurement). Full width's features are kept in QualityMemory between
// measurements and in the feature store between launches, so a schedule edit
// samples only its own images.
#include "api/api_internal.h"

#include "base/error.h"
#include "base/sha256.h"
#include "data/fashion_mnist.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/stats_file.h"
#include "search/kept_features.h"
#include "search/reevaluation.h"
#include "search/stored_features.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace ddsm::api {

struct QualityMemory::State {
    // The shipped feature network and statistics, checked for one image shape.
    std::shared_ptr<FeatureExtractor> extractor;
    GaussianStats reference;
    at::Tensor kidReference;  // undefined without the data set
    int64_t channels = 0, imageSize = 0;
    bool kidTried = false;    // the KID reference was asked for (it may be missing)

    // Full width's features of images 0..n-1 for one model, sampler and store.
    std::weak_ptr<Denoiser> fullWidthModel;
    std::string fullWidthKey;
    KeptFeatures fullWidth;
};

QualityMemory::QualityMemory() : state_(std::make_shared<State>()) {}

namespace {

// Real-image features for KID: few enough to load in a second.
constexpr int kKidReferenceImages = 2000;

// Undefined without the data set: KID is optional, FID is measured anyway.
at::Tensor kidReferenceFeatures(FeatureExtractor& extractor)
{
    try {
        const auto data = loadFashionMnist(kFashionMnistDefaultDir, FashionMnistSplit::Train, kKidReferenceImages);
        return extractFeatures(extractor, data.images);
    } catch (const Error&) {
        return {};
    }
}

void openShippedFeatures(const Model& model, QualityMemory::State& state, bool withKid)
{
    if (state.extractor && state.channels == model.channels() && state.imageSize == model.imageSize()) {
        if (withKid && !state.kidTried) {
            state.kidReference = kidReferenceFeatures(*state.extractor);
            state.kidTried = true;
        }
        return;
    }
    state.extractor.reset();  // a failure is not kept
    const std::string classifier = defaultFeatureClassifierPath();
    const std::string stats = defaultReferenceStatsPath();
    for (const auto& path : {classifier, stats})
        if (!std::filesystem::exists(path))
            throw Error("quality needs the shipped feature network and reference statistics; " + path +
                        " is missing (set DDSM_MODELS_DIR to the folder that holds them)");
    std::shared_ptr<FeatureExtractor> extractor = openFeatureExtractor(classifier);
    GaussianStats reference = loadStatsNpz(stats);
    requireMatchingReference(reference, *extractor);
    // The feature network must take this model's images; it names both shapes if not.
    const auto probe = torch::zeros({2, model.channels(), model.imageSize(), model.imageSize()});
    try {
        extractor->features(probe);
    } catch (const std::exception& e) {
        throw Error(std::string("the shipped feature network cannot score this model's images: ") + e.what());
    }
    state.kidReference = withKid ? kidReferenceFeatures(*extractor) : at::Tensor();
    state.kidTried = withKid;
    state.reference = std::move(reference);
    state.channels = model.channels();
    state.imageSize = model.imageSize();
    state.extractor = std::move(extractor);
}

// The model file's identity for the store: the caller's sha256, else the file
// hashed now (a file rewritten since an earlier run is a new identity);
// empty (measured, not stored) when unreadable.
std::string modelIdentity(const Model& model, const QualityTrackOptions& options)
{
    if (options.featureStore.empty())
        return {};
    if (!options.modelSha256.empty())
        return options.modelSha256;
    if (model.path().empty())
        return {};
    try {
        return sha256OfFile(model.path());
    } catch (const std::exception&) {
        return {};
    }
}

// Full width's features [count, D] of images 0..count-1; only images neither
// kept nor stored are sampled (added to `sampled`). A store that cannot be
// written only costs the next launch its head start: why is left in `storeProblem`.
at::Tensor fullWidthFeatures(const Model& model, QualityMemory::State& state, const SamplerSettings& sampler,
                             const std::string& storeDirectory, const std::string& modelSha, int count,
                             const CancelToken* cancel, int64_t& sampled, std::string& storeProblem)
{
    const std::shared_ptr<Denoiser>& denoiser = model.denoiser();
    const bool stores = !storeDirectory.empty() && !modelSha.empty();
    // Its sampling calls vary with the measurement's batches: batch 0 in the key.
    const std::string storeKey =
        stores ? fullWidthFeaturesKey(modelSha, sampler.toString(), state.extractor->name(), 0) : "";
    const std::string key = sampler.tag() + "-seed" + std::to_string(sampler.seed) + "\n" + storeDirectory + "\n" +
                            storeKey;
    if (state.fullWidthModel.lock() != denoiser || state.fullWidthKey != key) {
        state.fullWidthModel = denoiser;
        state.fullWidthKey = key;
        state.fullWidth = KeptFeatures(stores ? storeDirectory : std::string(), storeKey);
    }
    const GaussianDiffusion diffusion(denoiser->diffusion());
    const std::vector<double> full(size_t(model.T()), model.widths().front());
    const int64_t sampledBefore = state.fullWidth.sampled();
    const at::Tensor rows = state.fullWidth.upTo(count, [&](int begin, int end) {
        return sampleFeatures(*denoiser, diffusion, makeRecipe(sampler, full), *state.extractor, begin, end - begin,
                              cancel);
    });
    sampled += state.fullWidth.sampled() - sampledBefore;
    storeProblem = state.fullWidth.storeProblem();
    return rows;
}

bool cancelled(const CancelToken* cancel) { return cancel && cancel->load(); }

}  // namespace

void checkShippedFeatures(const Model& model, QualityMemory& memory)
{
    openShippedFeatures(model, memory.state(), false);
}

QualityTrackResult trackQuality(const Model& model, QualityMemory& memory, const QualityTrackOptions& options)
{
    if (options.batch < 2 || options.maxSamples < options.batch)
        throw Error("a quality run needs batches of at least 2 images and room for one batch");
    if (int(options.widthsByTimestep.size()) != model.T())
        throw Error("the schedule does not cover the model's T = " + std::to_string(model.T()) + " timesteps");
    torch::NoGradGuard noGrad;
    QualityMemory::State& state = memory.state();
    openShippedFeatures(model, state, options.kid);
    const SamplerSettings sampler = engineSampler(options.sampler);
    sampler.validate(model.T());
    const SampleRecipe recipe = makeRecipe(sampler, options.widthsByTimestep);
    const double full = model.widths().front();
    // Full width's own images are the ones kept for pairing: measuring it reads and extends them.
    const bool isFullWidth = std::all_of(options.widthsByTimestep.begin(), options.widthsByTimestep.end(),
                                         [&](double w) { return w >= full; });
    const bool paired = options.pairedWithFullWidth && !isFullWidth;
    const std::string modelSha = modelIdentity(model, options);
    Denoiser& denoiser = *model.denoiser();
    SampleQualityRun run(denoiser, *state.extractor, state.reference, state.kidReference, recipe);

    QualityTrackResult result;
    int64_t fullWidthSampled = 0;
    std::string storeProblem;
    while (run.count() < options.maxSamples) {
        if (cancelled(options.cancel)) {
            result.cancelled = true;
            return result;
        }
        const int count = int(std::min<int64_t>(options.batch, options.maxSamples - run.count()));
        const int first = int(run.count());
        at::Tensor fullFeatures;
        try {
            // Full width first: its images are kept for the next edit.
            if (paired || isFullWidth)
                fullFeatures = fullWidthFeatures(model, state, sampler, options.featureStore, modelSha, first + count,
                                                 options.cancel, fullWidthSampled, storeProblem);
            if (isFullWidth)
                run.addFeatures(fullFeatures.slice(0, first, first + count));
            else
                run.addBatch(count, options.cancel);
        } catch (const Error&) {
            if (cancelled(options.cancel)) {  // stopped inside the batch
                result.cancelled = true;
                return result;
            }
            throw;
        }
        QualityTrackEstimate e;
        e.fid = run.fid();
        e.samples = int(run.count());
        if (run.count() >= 4)
            e.kid = run.kid();
        bool precise = false;
        if (paired) {
            BootstrapOptions bootstrap;
            bootstrap.seed = sampler.seed;
            const PairedDifference d = pairedFidDifference(state.reference, fullFeatures, run.features(), bootstrap);
            Estimate minus = e.fid;
            minus.estimator = "FID minus full width's";
            minus.value = d.value;
            minus.low = d.interval.low;
            minus.high = d.interval.high;
            minus.level = bootstrap.level;
            e.minusFullWidth = minus;
            e.fullWidthFid = e.fid.value - d.value;
            precise = 0.5 * (d.interval.high - d.interval.low) <= options.stopPairedHalfWidth;
        } else {
            precise = 0.5 * (e.fid.high - e.fid.low) <= options.stopRelativeHalfWidth * std::abs(e.fid.value);
        }
        e.fullWidthSampled = fullWidthSampled;
        e.storeProblem = storeProblem;
        e.finished = run.count() >= options.maxSamples || (run.count() >= options.minSamples && precise);
        if (options.progress)
            options.progress(e);
        result.last = e;
        if (e.finished)
            break;
    }
    return result;
}

}  // namespace ddsm::api
