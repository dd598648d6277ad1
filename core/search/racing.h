#pragma once
// Racing (successive sample doubling) for a search whose scores are noisy.
//
// Every candidate is first scored on a few images. Under the budget, the
// candidates not clearly worse than the best one (by more than z combined
// standard errors) are contenders for "best under budget", and get twice the
// images, until they reach the cap; the best itself too. So the images go
// where candidates are close to the choice the search makes, and that choice
// is read from low-variance scores. (Raising every point of the front would
// spend most images on cheap schedules far from the budget.)
#include "search/candidate.h"

#include <vector>

namespace ddsm {

struct RacingSettings {
    int maxSamples = 0;   // 0: no racing
    double z = 2.0;       // standard errors by which a dominating candidate must be better
    bool enabled() const { return maxSamples > 0; }
};

// Indices of the candidates with cost <= budget and fewer than
// `settings.maxSamples` images whose quality minus z standard errors (of the
// difference to the best) is below the best quality under the budget.
std::vector<size_t> raceContenders(const std::vector<Candidate>& candidates, double budget,
                                   const RacingSettings& settings);

// The next sample count of a contender: double, at most the cap.
int nextSampleCount(int64_t samples, int maxSamples);

}  // namespace ddsm
