#pragma once
// Choosing a feature network by path, the shipped defaults, and running one
// over many images in batches.
#include "evaluation/feature_extractor.h"
#include "evaluation/torchscript_features.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>
#include <string>

namespace ddsm {

// Where shipped models live: $DDSM_MODELS_DIR if set, else the models/ folder
// of the shipped data found beside the executable (base/shipped_data.h).
std::string defaultModelsDir();
// <models>/fmnist-classifier.safetensors and <models>/fmnist-train-stats.npz.
std::string defaultFeatureClassifierPath();
std::string defaultReferenceStatsPath();

// "" or "default": the shipped classifier; a .safetensors path: a feature
// classifier file; anything else (.pt, .ts, ...): a TorchScript network with
// `torchscript`'s output and preprocessing (its path is replaced by `spec`).
std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec,
                                                       TorchScriptFeatureOptions torchscript = {});

// Features of images [N, C, H, W] in [-1, 1], `batch` at a time: float32
// [N, dim]. `onProgress(done, total)` after each batch.
at::Tensor extractFeatures(FeatureExtractor& extractor, const at::Tensor& images, int64_t batch = 500,
                           const std::function<void(int64_t, int64_t)>& onProgress = {});

}  // namespace ddsm
