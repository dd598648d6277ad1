#pragma once
// The order in which training visits a data set: each epoch is a fresh
// permutation of 0..n-1, cut into consecutive batches. The permutation depends
// only on (seed, epoch), through std::mt19937_64 (its output is fixed by the
// C++ standard) and a Fisher-Yates shuffle written out here (std::shuffle and
// std::uniform_int_distribution differ between standard libraries), so the
// same seed gives the same batches on every machine and build.
#include <cstdint>
#include <vector>

namespace at {
class Tensor;
}

namespace ddsm {

// The permutation of 0..n-1 used in `epoch` for `seed`.
std::vector<int64_t> epochPermutation(int64_t n, uint64_t seed, int64_t epoch);

class BatchSampler {
public:
    // Enough to continue the exact sequence after a restart: store it in a
    // checkpoint and restore() it into a sampler built with the same n.
    struct State {
        uint64_t seed = 0;
        int64_t epoch = 0;     // epochs completed so far
        int64_t position = 0;  // items of the current epoch already handed out, 0 <= position < n
    };

    // `batch` is clamped to n. Throws ddsm::Error unless n > 0 and batch > 0.
    BatchSampler(int64_t n, int64_t batch, uint64_t seed);

    // int64 [batch] indices into the data set. The last batch of an epoch is
    // shorter when batch does not divide n, so every epoch visits every item
    // exactly once; the following call starts the next epoch.
    at::Tensor nextIndices();

    int64_t epoch() const { return state_.epoch; }
    int64_t size() const { return n_; }
    int64_t batchSize() const { return batch_; }
    int64_t batchesPerEpoch() const { return (n_ + batch_ - 1) / batch_; }

    State state() const { return state_; }
    // Throws ddsm::Error if the state cannot belong to a sampler of this size.
    void restore(const State& state);

private:
    int64_t n_;
    int64_t batch_;
    State state_;
    std::vector<int64_t> permutation_;  // of state_.epoch, once computed
    int64_t permutationEpoch_ = -1;
};

}  // namespace ddsm
