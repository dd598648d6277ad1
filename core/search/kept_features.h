#pragma once
// The features of images 0..n-1 of one sampling (one model, sampler, seed and
// schedule), kept in memory and, for full width, mirrored in the feature
// store: later requests read what is kept or stored and sample only past it.
// The search's evaluator and the app's background measurement both pair
// every schedule with full width's images this way.
#include "search/stored_features.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

namespace ddsm {

class KeptFeatures {
public:
    // `storeKey` empty: kept in memory only. Images are sampled in calls of
    // `alignment` (the search's batch, whose size the stored key names), so
    // sampling resumes at a multiple of it and a stored prefix that ends mid-call is not reused.
    explicit KeptFeatures(std::string storeDirectory = {}, std::string storeKey = {}, int alignment = 1);

    // Rows 0..count-1 [count, D]. `sample(begin, end)` gives the features of
    // images begin..end-1; it is called only for rows neither kept nor stored,
    // after the store has been read once. A throw from it (a cancel) keeps what was kept.
    at::Tensor upTo(int count, const std::function<at::Tensor(int begin, int end)>& sample);

    int size() const;
    int64_t fromStore() const { return fromStore_; }  // rows read from the store, in all
    int64_t sampled() const { return sampled_; }      // rows sampled, in all
    // Why the last save failed ("" when it did not): the rows stay in memory.
    const std::string& storeProblem() const { return storeProblem_; }

private:
    FeatureStore store_;
    std::string key_;
    int alignment_;
    at::Tensor rows_;
    bool storeRead_ = false;
    int64_t fromStore_ = 0, sampled_ = 0;
    std::string storeProblem_;
};

}  // namespace ddsm
