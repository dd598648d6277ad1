#pragma once
// Measured cost: milliseconds per image and sampler step at each width on
// this machine. Widths are timed round-robin (not one after the other), so a
// neighbour's load on a shared machine falls on all widths alike; the median
// of the rounds is kept.
#include "search/cost_model.h"

#include <vector>

namespace ddsm {

class Denoiser;

struct LatencyOptions {
    int batchSize = 64;  // images per call, as the sampler runs them
    int rounds = 5;
    int warmup = 1;
};

CostModel measureLatencyCostModel(Denoiser& denoiser, const std::vector<double>& widths, const LatencyOptions& options = {});

}  // namespace ddsm
