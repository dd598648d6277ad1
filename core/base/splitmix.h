#pragma once
// SplitMix64: turns neighbouring integers (seed, image, step) into unrelated
// 64-bit seeds, so every random stream of a run can be derived, not stored.
#include <cstdint>

namespace ddsm {

inline uint64_t splitMix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace ddsm
