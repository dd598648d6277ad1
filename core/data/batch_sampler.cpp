#include "data/batch_sampler.h"

#include "base/error.h"
#include "base/splitmix.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace ddsm {

namespace {

// Uniform in [0, bound) without modulo bias: reject the lowest
// (2^64 mod bound) outputs so that the remaining range divides evenly.
uint64_t uniformBelow(std::mt19937_64& generator, uint64_t bound)
{
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        const uint64_t r = generator();
        if (r >= threshold)
            return r % bound;
    }
}

}  // namespace

std::vector<int64_t> epochPermutation(int64_t n, uint64_t seed, int64_t epoch)
{
    std::vector<int64_t> permutation(static_cast<size_t>(n));
    std::iota(permutation.begin(), permutation.end(), int64_t(0));
    // SplitMix64 spreads (seed, epoch) over the whole 64-bit seed space, so
    // neighbouring seeds and epochs give unrelated generators.
    std::mt19937_64 generator(splitMix64(seed ^ splitMix64(static_cast<uint64_t>(epoch))));
    for (int64_t i = n - 1; i > 0; --i)
        std::swap(permutation[i], permutation[uniformBelow(generator, static_cast<uint64_t>(i) + 1)]);
    return permutation;
}

BatchSampler::BatchSampler(int64_t n, int64_t batch, uint64_t seed)
    : n_(n), batch_(std::min(batch, n)), state_{seed, 0, 0}
{
    if (n <= 0)
        throw Error("cannot sample batches from " + std::to_string(n) + " items");
    if (batch <= 0)
        throw Error("batch size must be positive, got " + std::to_string(batch));
}

at::Tensor BatchSampler::nextIndices()
{
    if (permutationEpoch_ != state_.epoch) {
        permutation_ = epochPermutation(n_, state_.seed, state_.epoch);
        permutationEpoch_ = state_.epoch;
    }
    const int64_t count = std::min(batch_, n_ - state_.position);
    at::Tensor indices = at::empty({count}, at::kLong);
    std::copy_n(permutation_.begin() + state_.position, count, indices.data_ptr<int64_t>());
    state_.position += count;
    if (state_.position == n_) {
        ++state_.epoch;
        state_.position = 0;
    }
    return indices;
}

void BatchSampler::restore(const State& state)
{
    if (state.epoch < 0 || state.position < 0 || state.position >= n_)
        throw Error("sampler state (epoch " + std::to_string(state.epoch) + ", position "
                    + std::to_string(state.position) + ") does not fit a data set of "
                    + std::to_string(n_) + " items");
    state_ = state;
    permutationEpoch_ = -1;
}

}  // namespace ddsm
