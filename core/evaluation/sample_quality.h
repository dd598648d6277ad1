#pragma once
// FID and KID of a model's samples under a schedule, built up batch by batch
// so that a caller can show the estimate and its interval as it firms up.
// Images come from the sampler's seeded noise with firstImage offsets, so
// `ddsm sample` with the same seed draws the same images, and two schedules
// measured with one seed differ only by the schedule.
#include "engine/sampler.h"
#include "metrics/estimate.h"
#include "metrics/frechet_accumulator.h"
#include "metrics/gaussian_stats.h"
#include "metrics/kid_accumulator.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace ddsm {

class Denoiser;
class FeatureExtractor;
class GaussianDiffusion;

// What to sample: sampler settings (seed included) and the width of each step.
struct SampleRecipe {
    SamplerSettings sampler;
    std::vector<int> timesteps;      // denoising order
    std::vector<double> stepWidths;  // one per step
};

// A recipe for `schedule widths on the training axis` (index t) with `sampler`.
SampleRecipe makeRecipe(const SamplerSettings& sampler, const std::vector<double>& widthsByTimestep);

// Features of generated images firstImage .. firstImage+count-1: float32 [count, dim].
at::Tensor sampleFeatures(Denoiser& denoiser, const GaussianDiffusion& diffusion, const SampleRecipe& recipe,
                          FeatureExtractor& extractor, int firstImage, int count,
                          const std::atomic<bool>* cancel = nullptr);

// Throws ddsm::Error unless the reference statistics fit the extractor: same
// dimension, and the same feature name when the reference records one.
void requireMatchingReference(const GaussianStats& reference, const FeatureExtractor& extractor);

class SampleQualityRun {
public:
    // kidReference: real-image features [M, D] for KID; undefined to skip KID.
    SampleQualityRun(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                     const at::Tensor& kidReference, SampleRecipe recipe, double level = 0.95);
    ~SampleQualityRun();

    // Samples the next `count` images and adds their features.
    void addBatch(int count, const std::atomic<bool>* cancel = nullptr);
    // Adds the features of the next images, sampled elsewhere (another rank)
    // with this run's recipe: the same figures as addBatch of as many images.
    void addFeatures(const at::Tensor& features);
    int64_t count() const;
    // The features of every image so far, [count, D] float64, image 0 first.
    at::Tensor features() const { return fid_.features(); }

    // Estimates of everything so far (at least 2 samples).
    Estimate fid(int bootstrapRounds = 200, uint64_t seed = 0) const;
    std::optional<Estimate> kid(int subsets = 100, uint64_t seed = 0) const;

private:
    Denoiser& denoiser_;
    FeatureExtractor& extractor_;
    SampleRecipe recipe_;
    std::unique_ptr<GaussianDiffusion> diffusion_;
    FrechetAccumulator fid_;
    std::optional<KidAccumulator> kid_;
    int next_ = 0;
};

}  // namespace ddsm
