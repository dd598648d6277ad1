#pragma once
// Seeded row selections for the bootstrap and KID subsets. They use
// std::mt19937_64 and their own bounded draws (not std::uniform_int_distribution,
// whose output differs between standard libraries), so a seed gives the same
// rows on every platform and independently of Torch's global generator.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>

namespace ddsm {

// `count` indices in [0, n), drawn with replacement; int64 tensor.
at::Tensor indicesWithReplacement(int64_t n, int64_t count, std::mt19937_64& rng);

// `count` distinct indices in [0, n) (count <= n), in random order; int64 tensor.
at::Tensor indicesWithoutReplacement(int64_t n, int64_t count, std::mt19937_64& rng);

}  // namespace ddsm
