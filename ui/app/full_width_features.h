#pragma once
// The full-width side of the background measurement's paired difference:
// features of images 0..n-1 at full width, sampled once per model, sampler and
// seed and kept while the user edits the schedule, so each edit samples only
// its own images; with a feature store (search/stored_features.h) they are
// also kept on disk for the next launch. Worker side only (torch).
#include "evaluation/sample_quality.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <memory>
#include <string>

namespace ddsm {
class Denoiser;
class FeatureExtractor;
}  // namespace ddsm

namespace ddsm::ui {

class FullWidthFeatures {
public:
    // Features [count, D] of images 0..count-1 sampled with `sampler` at full
    // width; only images not already kept for this model, sampler and seed are
    // sampled. Throws ddsm::Error("sampling cancelled") when cancelled.
    at::Tensor first(const std::shared_ptr<Denoiser>& denoiser, FeatureExtractor& extractor,
                     const SamplerSettings& sampler, int count, const std::atomic<bool>* cancel);
    int64_t kept() const;  // images kept for the model and sampler last asked for

    // Where full width's features are kept between launches (empty: only in
    // memory) and the model file they are keyed by (empty: not stored).
    // A store that cannot be written only costs the next launch its head start.
    void setStore(const std::string& directory, const std::string& modelPath);

private:
    std::weak_ptr<Denoiser> model_;  // expired or another model: start again
    std::string samplerKey_;
    at::Tensor features_;
    std::string storeDirectory_, modelPath_, modelSha_;
};

}  // namespace ddsm::ui
