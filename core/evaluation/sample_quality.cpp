#include "evaluation/sample_quality.h"

#include "base/cancelled.h"
#include "base/error.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/feature_extractor.h"
#include "schedule/respacing.h"

#include <ATen/ATen.h>

namespace ddsm {

SampleRecipe makeRecipe(const SamplerSettings& sampler, const std::vector<double>& widthsByTimestep)
{
    SampleRecipe recipe;
    recipe.sampler = sampler;
    recipe.timesteps = respacedTimesteps(int(widthsByTimestep.size()), sampler.steps);
    for (int t : recipe.timesteps)
        recipe.stepWidths.push_back(widthsByTimestep[size_t(t)]);
    return recipe;
}

at::Tensor sampleFeatures(Denoiser& denoiser, const GaussianDiffusion& diffusion, const SampleRecipe& recipe,
                          FeatureExtractor& extractor, int firstImage, int count, const std::atomic<bool>* cancel)
{
    SamplerSettings settings = recipe.sampler;
    settings.firstImage = firstImage;
    SamplerRun run;
    run.timesteps = recipe.timesteps;
    run.stepWidths = recipe.stepWidths;
    run.x = initialNoise(settings.seed, firstImage, count, denoiser.channels(), denoiser.imageSize());
    run.cancel = cancel;
    const auto result = runSampler(denoiser, diffusion, settings, run);
    if (result.cancelled)
        throw Cancelled("sampling");
    return extractor.features(result.images.clamp(-1, 1));
}

void requireMatchingReference(const GaussianStats& reference, const FeatureExtractor& extractor)
{
    if (reference.dim() != extractor.dim())
        throw Error("reference statistics \"" + reference.source + "\" have " + std::to_string(reference.dim()) +
                    "-dimensional features (" + (reference.featureName.empty() ? "network unknown" : reference.featureName) +
                    "), but feature network " + extractor.name() + " gives " + std::to_string(extractor.dim()));
    if (!reference.featureName.empty() && reference.featureName != extractor.name())
        throw Error("reference statistics \"" + reference.source + "\" were made with feature network " +
                    reference.featureName + ", not " + extractor.name());
}

namespace {

// The reference as estimates should name it: a pytorch-fid file records no
// feature network, so it takes the extractor's name once the sizes agree.
GaussianStats labelledReference(GaussianStats reference, const FeatureExtractor& extractor)
{
    requireMatchingReference(reference, extractor);
    reference.featureName = extractor.name();
    return reference;
}

}  // namespace

SampleQualityRun::SampleQualityRun(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                                   const at::Tensor& kidReference, SampleRecipe recipe, double level)
    : denoiser_(denoiser),
      extractor_(extractor),
      recipe_(std::move(recipe)),
      diffusion_(std::make_unique<GaussianDiffusion>(denoiser.diffusion())),
      fid_(labelledReference(reference, extractor), level)
{
    if (kidReference.defined())
        kid_.emplace(kidReference, extractor.name(), reference.source, level);
}

SampleQualityRun::~SampleQualityRun() = default;

void SampleQualityRun::addBatch(int count, const std::atomic<bool>* cancel)
{
    const auto features = sampleFeatures(denoiser_, *diffusion_, recipe_, extractor_, next_, count, cancel);
    fid_.add(features);
    if (kid_)
        kid_->add(features);
    next_ += count;
}

void SampleQualityRun::addFeatures(const at::Tensor& features)
{
    fid_.add(features);
    if (kid_)
        kid_->add(features);
    next_ += int(features.size(0));
}

int64_t SampleQualityRun::count() const { return fid_.count(); }

Estimate SampleQualityRun::fid(int bootstrapRounds, uint64_t seed) const { return fid_.current(bootstrapRounds, seed); }

std::optional<Estimate> SampleQualityRun::kid(int subsets, uint64_t seed) const
{
    if (!kid_)
        return std::nullopt;
    return kid_->current(subsets, seed);
}

}  // namespace ddsm
