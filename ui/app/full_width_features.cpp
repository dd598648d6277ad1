#include "full_width_features.h"

#include "engine/denoiser.h"
#include "engine/diffusion.h"

#include <torch/torch.h>

#include <algorithm>

namespace ddsm::ui {

at::Tensor FullWidthFeatures::first(const std::shared_ptr<Denoiser>& denoiser, FeatureExtractor& extractor,
                                    const SamplerSettings& sampler, int count, const std::atomic<bool>* cancel)
{
    const std::string key = sampler.tag() + "-seed" + std::to_string(sampler.seed);
    if (model_.lock() != denoiser || samplerKey_ != key) {
        model_ = denoiser;
        samplerKey_ = key;
        features_ = at::Tensor();
    }
    const int have = features_.defined() ? int(features_.size(0)) : 0;
    if (have < count) {
        const GaussianDiffusion diffusion(denoiser->diffusion());
        const auto widths = denoiser->widths();
        const std::vector<double> full(size_t(denoiser->diffusion().T), *std::max_element(widths.begin(), widths.end()));
        const auto more = sampleFeatures(*denoiser, diffusion, makeRecipe(sampler, full), extractor, have, count - have,
                                         cancel);
        features_ = have == 0 ? more : torch::cat({features_, more}, 0);
    }
    return features_.slice(0, 0, count);
}

int64_t FullWidthFeatures::kept() const { return features_.defined() ? features_.size(0) : 0; }

}  // namespace ddsm::ui
