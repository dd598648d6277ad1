#pragma once
// Which training timesteps a sampler step stands for when the user edits it.
//
// A schedule lives on the training-timestep axis; a sampler with N steps only
// reads it at respacedTimesteps(T, N). Editing a step sets every training
// timestep nearer to that step's timestep than to its neighbours', so the N
// ranges tile [0, T) without gaps: the edit reads back exactly at N steps and
// still means something when N changes. A timestep halfway between two steps
// belongs to the cleaner one (the smaller t).
#include <vector>

namespace ddsm::ui {

struct TimestepSpan {
    int t_lo = 0;  // inclusive
    int t_hi = 0;  // inclusive, t_lo <= t_hi
};

// `timesteps` in denoising order (respacedTimesteps); `step` in 0..N-1.
TimestepSpan spanOfStep(const std::vector<int>& timesteps, int step, int T);

// The union of the spans of steps first..last (any order), in training timesteps.
TimestepSpan spanOfSteps(const std::vector<int>& timesteps, int first, int last, int T);

}  // namespace ddsm::ui
