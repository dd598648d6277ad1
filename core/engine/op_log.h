#pragma once
// A record of every multiply-accumulate-heavy operation a forward pass really
// ran, with the shapes it saw. Tests use it as an independent check of the
// analytic FLOPs count; the benchmark uses it for per-op breakdowns.
#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

struct OpRecord {
    std::string layer;  // parameter-path style name, e.g. "downblocks.0.block1.2"
    std::string kind;   // "conv", "linear", "attention-matmul"
    int64_t macs = 0;   // per batch element
    // Convolutions: what they were called with (the benchmark replays them).
    std::vector<int64_t> inputShape, weightShape;
    int64_t stride = 1, padding = 0;
};

using OpLog = std::vector<OpRecord>;

}  // namespace ddsm
