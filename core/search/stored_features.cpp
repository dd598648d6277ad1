#include "search/stored_features.h"

#include "base/sha256.h"
#include "io/safetensors.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>

namespace ddsm {

namespace {
constexpr const char* kFormat = "ddsm-stored-features-1";
}

std::string fullWidthFeaturesKey(const std::string& modelSha256, const std::string& sampler,
                                 const std::string& featureName, int batch)
{
    return "full width\nmodel " + modelSha256 + "\nsampler " + sampler + "\nfeatures " + featureName + "\nbatch " +
           std::to_string(batch);
}

FeatureStore::FeatureStore(std::string directory) : directory_(std::move(directory)) {}

std::string FeatureStore::pathFor(const std::string& key) const
{
    return (std::filesystem::path(directory_) / (sha256Hex(key).substr(0, 32) + ".safetensors")).string();
}

std::optional<at::Tensor> FeatureStore::load(const std::string& key) const
{
    const std::string path = pathFor(key);
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        return std::nullopt;
    try {
        const SafetensorsFile file = loadSafetensors(path);
        const auto format = file.metadata.find("format");
        const auto storedKey = file.metadata.find("key");
        if (format == file.metadata.end() || format->second != kFormat || storedKey == file.metadata.end() ||
            storedKey->second != key || file.tensors.size() != 1 || file.tensors[0].first != "features")
            return std::nullopt;
        const at::Tensor& features = file.tensors[0].second;
        const bool floating = features.scalar_type() == torch::kFloat64 || features.scalar_type() == torch::kFloat32;
        if (features.dim() != 2 || !floating || features.size(0) < 1)
            return std::nullopt;
        return features;
    } catch (const std::exception&) {
        return std::nullopt;  // damaged or foreign: sampled again and overwritten
    }
}

std::string FeatureStore::save(const std::string& key, const at::Tensor& features) const
{
    try {
        std::filesystem::create_directories(directory_);
        saveSafetensors(pathFor(key), {{"features", features.contiguous()}}, {{"format", kFormat}, {"key", key}});
        return "";
    } catch (const std::exception& e) {
        return std::string("could not store features in ") + directory_ + ": " + e.what();
    }
}

std::string defaultFeatureStoreDirectory()
{
    if (const char* chosen = std::getenv("DDSM_FEATURE_STORE"))
        return chosen;  // empty: no store
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return (std::filesystem::path(xdg) / "ddsm-studio" / "features").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (std::filesystem::path(home) / ".cache" / "ddsm-studio" / "features").string();
    return "";
}

}  // namespace ddsm
