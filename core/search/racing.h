#pragma once
// Racing (successive sample doubling) for a search whose scores are noisy.
//
// Every candidate is first scored on a few images. A candidate that another
// one beats clearly (cheaper or as cheap, and better by more than z combined
// standard errors) is settled; the others are contenders for the front under
// the budget, and get twice the images, until they reach the cap. So the
// images go where candidates are close, and the ranking that matters (the
// front under the budget) is read from low-variance scores.
#include "search/candidate.h"

#include <vector>

namespace ddsm {

struct RacingSettings {
    int maxSamples = 0;   // 0: no racing
    double z = 2.0;       // standard errors by which a dominating candidate must be better
    bool enabled() const { return maxSamples > 0; }
};

// Indices of the candidates with cost <= budget that no candidate clearly
// dominates and that have fewer than `settings.maxSamples` images.
std::vector<size_t> raceContenders(const std::vector<Candidate>& candidates, double budget,
                                   const RacingSettings& settings);

// The next sample count of a contender: double, at most the cap.
int nextSampleCount(int64_t samples, int maxSamples);

}  // namespace ddsm
