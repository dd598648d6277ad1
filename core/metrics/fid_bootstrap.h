#pragma once
// FID of generated features against fixed reference statistics, with a
// bootstrap interval: the generated features are resampled with replacement
// and the distance recomputed for each resample.
#include "metrics/gaussian_stats.h"
#include "metrics/percentile.h"

#include <cstdint>
#include <vector>

namespace ddsm {

struct BootstrapOptions {
    int rounds = 200;
    uint64_t seed = 0;
    double level = 0.95;
};

struct FidBootstrap {
    double value = 0;        // FID of all features (no resampling)
    Interval interval;       // at options.level, see bootstrapFid
    double resamplingBias = 0;    // mean of the rounds minus value
    std::vector<double> rounds;   // FID of each resample, in draw order
};

// The interval is the percentile interval of the bootstrap distribution
// re-centred on `value`. FID is biased upwards by a term that grows as the
// sample shrinks, and a resample (with its repeated rows) carries roughly that
// bias again; a plain percentile interval therefore sits above the estimate
// (for 200 samples it can exclude it). Shifting the rounds by their mean excess
// keeps their spread and removes that shift.
//
// Cost per round: about N * D * min(N, D) multiply-adds plus one symmetric
// eigenvalue problem of size min(N, D), since tr((S_ref S)^{1/2}) is taken
// from the Gram matrix of the centred, reference-whitened features.
// Throws ddsm::Error for mismatched dimensions, fewer than 2 features or rounds,
// or a level outside (0, 1).
FidBootstrap bootstrapFid(const GaussianStats& reference, const at::Tensor& features,
                          const BootstrapOptions& options = {});

}  // namespace ddsm
