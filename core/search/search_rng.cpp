#include "search/search_rng.h"

namespace ddsm {

namespace {
uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
}  // namespace

SearchRng::SearchRng(uint64_t seed, uint64_t stream) : state_(splitmix(splitmix(seed) ^ (stream * 0x100000001b3ULL))) {}

uint64_t SearchRng::next()
{
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
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
