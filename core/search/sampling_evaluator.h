#pragma once
// Scores candidates by sampling: M images from the same noise for every
// candidate (common random numbers), their features, and the Frechet distance
// to reference statistics (and optionally KID to reference features).
//
// Candidates are sampled in lexicographic order of their step widths and
// resume from the longest cached shared prefix, which gives bit-identical
// images to sampling from noise (same batches, same per-step noise).
#include "engine/sampler.h"
#include "metrics/gaussian_stats.h"
#include "search/evaluator.h"
#include "search/prefix_state_cache.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddsm {

class Denoiser;
class GaussianDiffusion;

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
    const std::atomic<bool>* cancel = nullptr;  // checked before every network call
};

class SamplingEvaluator : public CandidateEvaluator {
public:
    SamplingEvaluator(Denoiser& denoiser, SamplingSetup setup, FeatureFunction features, GaussianStats reference,
                      SamplingEvaluatorOptions options);
    ~SamplingEvaluator() override;

    std::vector<Evaluation> evaluate(const std::vector<Genome>& genomes) override;
    std::string qualityName() const override;
    EvaluatorStats stats() const override;

    // All `samples` images under per-step width indices; throws SearchCancelled.
    at::Tensor sample(const std::vector<int>& stepWidthIndices);
    // Their features [samples, D].
    at::Tensor features(const std::vector<int>& stepWidthIndices);
    // Features of images (clamped to [-1, 1] first), batch by batch.
    at::Tensor featuresOf(const at::Tensor& images) const;
    Evaluation score(const at::Tensor& features) const;

    const SamplingSetup& setup() const { return setup_; }
    const SamplingEvaluatorOptions& options() const { return options_; }
    const GaussianStats& reference() const { return reference_; }
    const PrefixCacheStats& prefixStats() const { return prefixes_.stats(); }

private:
    Denoiser& denoiser_;
    std::unique_ptr<GaussianDiffusion> diffusion_;
    SamplingSetup setup_;
    FeatureFunction featureFn_;
    GaussianStats reference_;
    SamplingEvaluatorOptions options_;
    PrefixStateCache prefixes_;
    EvaluatorStats stats_;
};

}  // namespace ddsm
