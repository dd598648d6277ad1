#pragma once
// Which training timesteps a sampler with fewer steps than T visits.
#include <vector>

namespace ddsm {

// The `steps` training timesteps a sampler visits, in DENOISING ORDER: the
// first element is T-1 (pure noise), the last is 0 (the clean image).
// Evenly spaced: t_i = round(i * (T-1) / (steps-1)) for i = 0..steps-1, halves
// rounded up, then reversed; steps == 1 gives {T-1}. The timesteps are
// distinct because steps <= T keeps the spacing at least 1.
// Throws ddsm::Error unless T > 0 and 1 <= steps <= T.
std::vector<int> respacedTimesteps(int T, int steps);

}  // namespace ddsm
