#pragma once
// Features of one schedule's images kept on disk between runs. Every compare,
// search and measurement against full width samples the same full-width images
// (same model, sampler, seed and batches), the most expensive row of each;
// stored once, later runs read them instead. A stored file is only a cache: an
// unreadable or mismatched one is ignored (and overwritten), never an error.
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>

namespace ddsm {

struct StoredFeatures {
    at::Tensor features;         // [N, D] float32 or float64, kept as given so a stored row scores as a sampled one
    double samplingSeconds = 0;  // what sampling the N images took when they were stored
};

class FeatureStore {
public:
    // `directory` is created on the first save.
    explicit FeatureStore(std::string directory);

    // `key` names everything the images depend on (model file's sha256, sampler
    // with its seed, batch size, step widths, feature network).
    std::optional<StoredFeatures> load(const std::string& key) const;
    // Atomic; a failure to write is returned as a message, not thrown.
    std::string save(const std::string& key, const StoredFeatures& stored) const;

    std::string pathFor(const std::string& key) const;
    const std::string& directory() const { return directory_; }

private:
    std::string directory_;
};

// $DDSM_FEATURE_STORE when set (empty: no store), else
// $XDG_CACHE_HOME/ddsm-studio/features, else ~/.cache/ddsm-studio/features.
std::string defaultFeatureStoreDirectory();

}  // namespace ddsm
