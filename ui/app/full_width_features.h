#pragma once
// The full-width side of the background measurement's paired difference:
// features of images 0..n-1 at full width, sampled once per model, sampler and
// seed and kept while the user edits the schedule, so each edit samples only
// its own images. Worker side only (torch).
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

private:
    std::weak_ptr<Denoiser> model_;  // expired or another model: start again
    std::string samplerKey_;
    at::Tensor features_;
};

}  // namespace ddsm::ui
