#pragma once
// Sampler states keyed by the widths of the steps that made them. The state
// after k steps depends only on the seed, the images and the first k widths
// (engine/sampler.h), so candidates that share a width prefix can resume from
// the state where their paths part instead of sampling from noise again.
// Bounded by memory: the least recently used states are evicted first.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace ddsm {

struct PrefixCacheStats {
    int64_t lookups = 0;
    int64_t hits = 0;          // lookups that found at least one step
    int64_t stepsReused = 0;   // sum of the prefix lengths found
    int64_t insertions = 0;
    int64_t evictions = 0;
    size_t bytes = 0;          // held now
    size_t entries = 0;
};

class PrefixStateCache {
public:
    explicit PrefixStateCache(size_t maxBytes);

    // The longest cached prefix of `stepWidthIndices` with at most `maxSteps`
    // steps, for the image batch `batch`. Returns its length k (0 when none)
    // and sets `state` to the sampler state after those k steps.
    int longestPrefix(int batch, const std::vector<int>& stepWidthIndices, int maxSteps, at::Tensor* state);
    // The state after the first `steps` steps of `stepWidthIndices`.
    void insert(int batch, const std::vector<int>& stepWidthIndices, int steps, const at::Tensor& state);

    const PrefixCacheStats& stats() const { return stats_; }
    void clear();

private:
    struct Entry {
        at::Tensor state;
        std::list<std::string>::iterator recency;
    };
    static std::string key(int batch, const std::vector<int>& indices, int steps);
    void evictUntilFits(size_t incoming);

    size_t maxBytes_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> recency_;  // most recent first
    PrefixCacheStats stats_;
};

}  // namespace ddsm
