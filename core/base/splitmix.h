#pragma once
// SplitMix64: turns neighbouring integers (seed, image, step) into unrelated
// 64-bit seeds, so every random stream of a run can be derived, not stored.
// The one copy of it: samplers, training data order and the search all draw
// from it, so a change here changes every seeded result.
#include <cstdint>

namespace ddsm {

// The generator's state increment (2^64 / golden ratio).
inline constexpr uint64_t kSplitMixGamma = 0x9e3779b97f4a7c15ULL;

// One step of the generator from state x: the output that follows x.
inline uint64_t splitMix64(uint64_t x)
{
    x += kSplitMixGamma;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace ddsm
