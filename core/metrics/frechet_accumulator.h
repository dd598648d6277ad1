#pragma once
// Anytime FID: add generated features batch by batch and ask for the current
// estimate, with a bootstrap interval, whenever a progress update is due.
// Not thread-safe: one thread adds and asks.
#include "metrics/estimate.h"
#include "metrics/feature_buffer.h"
#include "metrics/gaussian_stats.h"

#include <cstdint>

namespace ddsm {

class FrechetAccumulator {
public:
    // reference: fixed statistics (its featureName and source label the
    // estimates). level: interval level, in (0, 1).
    explicit FrechetAccumulator(GaussianStats reference, double level = 0.95);

    // features [N, D] with the reference's D; kept in full for the bootstrap.
    void add(const at::Tensor& features);
    int64_t count() const;

    // FID of everything added so far and its bootstrap interval (see
    // bootstrapFid). Throws ddsm::Error with fewer than 2 samples.
    Estimate current(int bootstrapRounds = 200, uint64_t seed = 0) const;

    const GaussianStats& reference() const { return reference_; }
    // Every feature added so far, [count, D] float64, in the order added.
    at::Tensor features() const { return features_.all(); }

private:
    GaussianStats reference_;
    double level_;
    FeatureBuffer features_;
};

}  // namespace ddsm
