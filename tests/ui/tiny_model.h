#pragma once
// Small model files for the window tests, made with the core API.
#include "engine/net_config.h"

#include <cstdint>
#include <string>
#include <vector>

// Eight-pixel, two-width network: opens and samples in milliseconds.
ddsm::NetConfig tinyConfig();
// A 16-pixel network whose steps take long enough to cancel mid-run.
ddsm::NetConfig slowerConfig();
// Initialises a network with `seed` and saves it; returns its parameter count.
int64_t writeModel(const std::string& path, const ddsm::NetConfig& config, uint64_t seed = 1);
// The same with noise on every weight, so that its widths compute different images.
void writeModelWithDistinctWidths(const std::string& path, const ddsm::NetConfig& config, uint64_t seed);
// A small network with Fashion-MNIST's image shape (28x28x1), so the shipped
// feature network can score its samples.
ddsm::NetConfig fmnistShapedConfig();
// FID of `samples` images of the model under a schedule (training axis),
// computed with the core API alone: the independent truth for the window's
// background measurement.
double referenceFid(const std::string& modelPath, int steps, uint64_t seed, int samples, int batch,
                    const std::vector<double>& widthsByTimestep);
