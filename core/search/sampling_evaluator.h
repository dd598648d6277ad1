#pragma once
// Scores candidates by sampling: M images from the same noise for every
// candidate (common random numbers), their features, and the Frechet distance
// to reference statistics (and optionally KID to reference features).
//
// Paired scoring (options.pairedWithFullWidth) reports FID(candidate) -
// FID(full width) on the same images instead: the full-width features are
// sampled once per evaluator (model, sampler, seed) and the score comes with a
// paired bootstrap standard error. The difference removes the part of FID
// that depends on the sample count, so scores on different numbers of images
// (racing, evaluateWith) stay comparable.
//
// Candidates are sampled in lexicographic order of their step widths and
// resume from the longest cached shared prefix, which gives bit-identical
// images to sampling from noise (same batches, same per-step noise).
//
// Sharded (options.ranks with several ranks): every rank makes the same calls;
// each samples the batches dealt to it (batch b to rank b % N, image i from
// its own noise whatever N) and the features are gathered in image order, so
// every rank holds one process's features and scores. evaluate() and
// evaluateWith() check that the ranks score the same genomes and hand every
// rank rank 0's scores, so a search runs in step on every rank.
#include "engine/sampler.h"
#include "metrics/gaussian_stats.h"
#include "search/evaluator.h"
#include "search/kept_features.h"
#include "search/prefix_state_cache.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ddsm {

class Denoiser;
class GaussianDiffusion;
class ProcessGroup;

// Images [N, C, H, W] in [-1, 1] to features [N, D].
using FeatureFunction = std::function<at::Tensor(const at::Tensor& imagesInMinus1To1)>;

// What every candidate shares.
struct SamplingSetup {
    SamplerSettings sampler;      // its seed is the common noise
    std::vector<int> timesteps;   // the sampler's steps, denoising order
    std::vector<double> widths;   // width of each index, descending
    GeneLayout layout;
};

struct SamplingEvaluatorOptions {
    int samples = 256;
    int batchSize = 128;           // images per network call; fixed, so cached states line up
    bool sharePrefixes = true;
    size_t prefixCacheBytes = size_t(1) << 30;
    at::Tensor kidReferenceFeatures;  // KID is measured when defined
    int kidSubsets = 50;
    std::string featureName = "features";
    bool pairedWithFullWidth = false;
    int uncertaintyRounds = 32;    // paired bootstrap rounds of the standard error (paired scoring)
    const std::atomic<bool>* cancel = nullptr;  // checked before every network call
    ProcessGroup* ranks = nullptr;  // shares the images out (see above); null: one process
    // Full width's features are read from and added to this FeatureStore
    // directory (search/stored_features.h) when it and the model's identity (its
    // file's sha256) are set; not when sharded over several ranks.
    std::string featureStoreDirectory;
    std::string modelIdentity;
};

class SamplingEvaluator : public CandidateEvaluator {
public:
    SamplingEvaluator(Denoiser& denoiser, SamplingSetup setup, FeatureFunction features, GaussianStats reference,
                      SamplingEvaluatorOptions options);
    ~SamplingEvaluator() override;

    std::vector<Evaluation> evaluate(const std::vector<Genome>& genomes) override;
    std::vector<Evaluation> evaluateWith(const std::vector<Genome>& genomes, int samples) override;
    std::string qualityName() const override;
    EvaluatorStats stats() const override;

    // All `samples` images under per-step width indices; throws SearchCancelled.
    at::Tensor sample(const std::vector<int>& stepWidthIndices);
    // Images [begin, end) of the same noise; begin a multiple of the batch size.
    at::Tensor sampleRange(const std::vector<int>& stepWidthIndices, int begin, int end);
    // Features of the first `count` images, kept per schedule and extended on demand.
    at::Tensor cachedFeatures(const std::vector<int>& stepWidthIndices, int count);
    // Their features [samples, D], on every rank when sharded.
    at::Tensor features(const std::vector<int>& stepWidthIndices);
    // Features of images [begin, end) (begin a multiple of the batch size):
    // sampled here, or when sharded by the ranks the batches are dealt to.
    at::Tensor featuresOfRange(const std::vector<int>& stepWidthIndices, int begin, int end);
    // Features of images (clamped to [-1, 1] first), batch by batch.
    at::Tensor featuresOf(const at::Tensor& images) const;
    Evaluation score(const at::Tensor& features) const;
    // FID(features) - FID(full width's first rows), with its paired standard error.
    Evaluation scorePaired(const at::Tensor& features);

    const SamplingSetup& setup() const { return setup_; }
    const SamplingEvaluatorOptions& options() const { return options_; }
    const GaussianStats& reference() const { return reference_; }
    const PrefixCacheStats& prefixStats() const { return prefixes_.stats(); }
    // Why the last store of features failed; empty when it did not.
    const std::string& featureStoreProblem() const { return storeProblem_; }

private:
    bool storesFeatures(const std::vector<int>& stepWidthIndices) const;
    double kidOf(const at::Tensor& features) const;  // NaN unless KID reference features are set
    // Sharded: throws ddsm::Error unless every rank passes the same genomes.
    void requireSameGenomes(const std::vector<Genome>& genomes);
    // Sharded: rank 0's scores on every rank.
    std::vector<Evaluation> rankZeroScores(std::vector<Evaluation> scores);
    // Scores each genome's step widths, in lexicographic order of them.
    std::vector<Evaluation> scoreInPrefixOrder(const std::vector<Genome>& genomes,
                                               const std::function<Evaluation(const std::vector<int>&)>& scoreOf);

    Denoiser& denoiser_;
    std::unique_ptr<GaussianDiffusion> diffusion_;
    SamplingSetup setup_;
    FeatureFunction featureFn_;
    GaussianStats reference_;
    SamplingEvaluatorOptions options_;
    PrefixStateCache prefixes_;
    EvaluatorStats stats_;
    std::map<std::vector<int>, KeptFeatures> featureCache_;  // full width's also in the feature store
    std::string storeProblem_;
};

}  // namespace ddsm
