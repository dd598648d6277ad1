#include "search/search_rng.h"

#include "base/splitmix.h"

namespace ddsm {

SearchRng::SearchRng(uint64_t seed, uint64_t stream)
    : state_(splitMix64(splitMix64(seed) ^ (stream * 0x100000001b3ULL)))
{
}

// The SplitMix64 generator: splitMix64 adds the increment before mixing, so
// mixing the old state equals the textbook "advance, then mix".
uint64_t SearchRng::next()
{
    const uint64_t out = splitMix64(state_);
    state_ += kSplitMixGamma;
    return out;
}

int SearchRng::below(int n)
{
    const uint64_t range = uint64_t(n);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t r;
    do
        r = next();
    while (r >= limit);
    return int(r % range);
}

double SearchRng::uniform()
{
    return double(next() >> 11) * 0x1.0p-53;
}

}  // namespace ddsm
