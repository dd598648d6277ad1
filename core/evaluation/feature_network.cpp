#include "evaluation/feature_network.h"

#include "base/error.h"
#include "base/shipped_data.h"
#include "evaluation/classifier_features.h"

#include <ATen/ATen.h>

#include <filesystem>

namespace ddsm {

std::string defaultModelsDir() { return shippedModelsDir(); }

std::string defaultFeatureClassifierPath() { return defaultModelsDir() + "/fmnist-classifier.safetensors"; }
std::string defaultReferenceStatsPath() { return defaultModelsDir() + "/fmnist-train-stats.npz"; }

std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec, TorchScriptFeatureOptions torchscript)
{
    const std::string path = spec.empty() || spec == "default" ? defaultFeatureClassifierPath() : spec;
    if (std::filesystem::path(path).extension() == ".safetensors")
        return std::make_unique<ClassifierFeatures>(loadClassifier(path));
    torchscript.path = path;
    return std::make_unique<TorchScriptFeatures>(torchscript);
}

at::Tensor extractFeatures(FeatureExtractor& extractor, const at::Tensor& images, int64_t batch,
                           const std::function<void(int64_t, int64_t)>& onProgress)
{
    if (batch < 1)
        throw Error("feature batch size must be at least 1");
    const int64_t n = images.size(0);
    std::vector<at::Tensor> parts;
    for (int64_t begin = 0; begin < n; begin += batch) {
        const int64_t end = std::min(n, begin + batch);
        parts.push_back(extractor.features(images.slice(0, begin, end)));
        if (onProgress)
            onProgress(end, n);
    }
    if (parts.empty())
        return at::zeros({0, extractor.dim()});
    return at::cat(parts, 0);
}

}  // namespace ddsm
