#pragma once
// Full width's features kept on disk between runs. Every compare, search and
// measurement against full width samples the same full-width images (same
// model, sampler, seed and batches), the most expensive row of each; stored
// once, later runs read them instead. A stored file is only a cache: an
// unreadable or mismatched one is ignored (and overwritten), never an error.
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>

namespace ddsm {

// Everything full width's features depend on: the model file's sha256, the
// sampler with its seed (SamplerSettings::toString), the feature network, and
// the images per network call (0 where the calls vary, as in the app's
// background run, whose float32 rows are then kept apart from the search's).
std::string fullWidthFeaturesKey(const std::string& modelSha256, const std::string& sampler,
                                 const std::string& featureName, int batch);

class FeatureStore {
public:
    // `directory` is created on the first save.
    explicit FeatureStore(std::string directory);

    // Features [N, D] (float32 or float64, as saved, so a stored row scores as a
    // sampled one); nullopt when nothing readable is stored under `key`.
    std::optional<at::Tensor> load(const std::string& key) const;
    // Atomic; a failure to write is returned as a message, not thrown.
    std::string save(const std::string& key, const at::Tensor& features) const;

private:
    std::string pathFor(const std::string& key) const;

    std::string directory_;
};

// $DDSM_FEATURE_STORE when set (empty: no store), else
// $XDG_CACHE_HOME/ddsm-studio/features, else ~/.cache/ddsm-studio/features.
std::string defaultFeatureStoreDirectory();

}  // namespace ddsm
