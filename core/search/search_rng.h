#pragma once
// The search's random numbers: SplitMix64, with its own integer and uniform
// draws so that a seed gives the same search on every standard library.
// Each generation draws from a stream derived from (seed, generation), so a
// resumed search needs no saved generator state.
#include <cstdint>

namespace ddsm {

class SearchRng {
public:
    explicit SearchRng(uint64_t seed) : state_(seed) {}
    SearchRng(uint64_t seed, uint64_t stream);

    uint64_t next();
    // Uniform in [0, n), n >= 1, without modulo bias.
    int below(int n);
    // Uniform in [0, 1).
    double uniform();
    bool chance(double p) { return uniform() < p; }

private:
    uint64_t state_;
};

}  // namespace ddsm
