#pragma once
// Anytime KID: add generated features batch by batch and ask for the current
// estimate against reference features. The interval is the central range of
// the per-subset values, i.e. the spread of a KID measured on one subset.
// Not thread-safe: one thread adds and asks.
#include "metrics/estimate.h"
#include "metrics/feature_buffer.h"

#include <cstdint>
#include <string>

namespace ddsm {

class KidAccumulator {
public:
    // referenceFeatures [M, D]; featureName and referenceName label estimates.
    // level: interval level in (0, 1); maxSubsetSize: rows per subset and side
    // (capped by the rows available).
    KidAccumulator(const at::Tensor& referenceFeatures, std::string featureName,
                   std::string referenceName, double level = 0.95,
                   int64_t maxSubsetSize = 1000);

    void add(const at::Tensor& features);
    int64_t count() const;

    // KID (mean over subsets) of everything added so far. Throws ddsm::Error
    // with fewer than 2 samples.
    Estimate current(int subsets = 100, uint64_t seed = 0) const;

private:
    FeatureBuffer reference_;
    std::string featureName_;
    std::string referenceName_;
    double level_;
    int64_t maxSubsetSize_;
    FeatureBuffer features_;
};

}  // namespace ddsm
