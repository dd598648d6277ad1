#pragma once
// Small model files for the window tests, made with the core API.
#include "engine/net_config.h"

#include <cstdint>
#include <string>

// Eight-pixel, two-width network: opens and samples in milliseconds.
ddsm::NetConfig tinyConfig();
// A 16-pixel network whose steps take long enough to cancel mid-run.
ddsm::NetConfig slowerConfig();
// Initialises a network with `seed` and saves it; returns its parameter count.
int64_t writeModel(const std::string& path, const ddsm::NetConfig& config, uint64_t seed = 1);
