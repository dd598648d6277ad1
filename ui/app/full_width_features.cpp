#include "full_width_features.h"

#include "base/sha256.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/feature_extractor.h"
#include "search/stored_features.h"

#include <torch/torch.h>

#include <algorithm>

namespace ddsm::ui {

at::Tensor FullWidthFeatures::first(const std::shared_ptr<Denoiser>& denoiser, FeatureExtractor& extractor,
                                    const SamplerSettings& sampler, int count, const std::atomic<bool>* cancel)
{
    const std::string key = sampler.tag() + "-seed" + std::to_string(sampler.seed);
    const bool stores = !storeDirectory_.empty() && !modelSha_.empty();
    const FeatureStore store(storeDirectory_);
    // Its sampling calls vary with the measurement's batches: batch 0 in the key.
    const std::string storeKey = stores ? fullWidthFeaturesKey(modelSha_, sampler.toString(), extractor.name(), 0) : "";
    if (model_.lock() != denoiser || samplerKey_ != key) {
        model_ = denoiser;
        samplerKey_ = key;
        features_ = stores ? store.load(storeKey).value_or(at::Tensor()) : at::Tensor();
    }
    const int have = features_.defined() ? int(features_.size(0)) : 0;
    if (have < count) {
        const GaussianDiffusion diffusion(denoiser->diffusion());
        const auto widths = denoiser->widths();
        const std::vector<double> full(size_t(denoiser->diffusion().T), *std::max_element(widths.begin(), widths.end()));
        const auto more = sampleFeatures(*denoiser, diffusion, makeRecipe(sampler, full), extractor, have, count - have,
                                         cancel);
        features_ = have == 0 ? more : torch::cat({features_, more}, 0);
        if (stores)
            store.save(storeKey, features_);
    }
    return features_.slice(0, 0, count);
}

void FullWidthFeatures::setStore(const std::string& directory, const std::string& modelPath)
{
    if (directory == storeDirectory_ && modelPath == modelPath_)
        return;
    storeDirectory_ = directory;
    modelPath_ = modelPath;
    modelSha_.clear();
    if (!directory.empty() && !modelPath.empty()) {
        try {
            modelSha_ = sha256OfFile(modelPath);
        } catch (const std::exception&) {
            modelSha_.clear();  // unreadable now: measured, not stored
        }
    }
    samplerKey_.clear();  // look in the store again
}

int64_t FullWidthFeatures::kept() const { return features_.defined() ? features_.size(0) : 0; }

}  // namespace ddsm::ui
