#include "metrics/random_indices.h"

#include "base/error.h"

#include <ATen/ATen.h>

#include <numeric>
#include <vector>

namespace ddsm {
namespace {

// Uniform in [0, bound) without modulo bias: reject the top partial block.
uint64_t uniformBelow(uint64_t bound, std::mt19937_64& rng)
{
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do {
        r = rng();
    } while (r >= limit);
    return r % bound;
}

at::Tensor toTensor(const std::vector<int64_t>& v)
{
    return at::tensor(at::ArrayRef<int64_t>(v), at::TensorOptions().dtype(at::kLong));
}

}  // namespace

at::Tensor indicesWithReplacement(int64_t n, int64_t count, std::mt19937_64& rng)
{
    if (n <= 0 || count < 0)
        throw Error("cannot draw " + std::to_string(count) + " of " + std::to_string(n) + " rows");
    std::vector<int64_t> out(static_cast<size_t>(count));
    for (auto& i : out)
        i = static_cast<int64_t>(uniformBelow(static_cast<uint64_t>(n), rng));
    return toTensor(out);
}

at::Tensor indicesWithoutReplacement(int64_t n, int64_t count, std::mt19937_64& rng)
{
    if (count < 0 || count > n)
        throw Error("cannot draw " + std::to_string(count) + " distinct rows of " +
                    std::to_string(n));
    // Partial Fisher-Yates: the first `count` slots become the sample.
    std::vector<int64_t> all(static_cast<size_t>(n));
    std::iota(all.begin(), all.end(), int64_t{0});
    for (int64_t i = 0; i < count; ++i) {
        const auto j = i + static_cast<int64_t>(uniformBelow(static_cast<uint64_t>(n - i), rng));
        std::swap(all[i], all[j]);
    }
    all.resize(static_cast<size_t>(count));
    return toTensor(all);
}

}  // namespace ddsm
