#pragma once
// Net2Net-style widening of a slimmable UNet: a trained network becomes the
// prefix of a wider one, so the wider network's sub-network at one of its widths
// computes exactly what the trained network's full width did. Training the wider
// network from there starts its narrow widths where the old full width ended
// (the step-aware schedule runs those widths on the noisy steps) and spends
// every step on the new capacity.
#include "engine/net_config.h"

#include <cstdint>
#include <memory>

namespace ddsm {

class SlimmableUNet;

struct WidenedModel {
    std::shared_ptr<SlimmableUNet> net;
    double embeddedWidth = 0;  // the wider network's width that reproduces the trained one
    double maxDifference = 0;  // measured: largest |output difference| on a random batch there
};

// `wider` must have the trained network's architecture with base channels an
// integer multiple of it and a width whose channel counts equal the trained
// network's full ones. Parameters outside the embedded prefix are initialised
// from `seed` as a new network's are; weights from the new channels into the
// embedded ones start at zero. Throws ddsm::Error naming the field that differs,
// or if the result does not reproduce the trained network to 1e-4.
WidenedModel widenModel(SlimmableUNet& trained, const NetConfig& wider, uint64_t seed);

}  // namespace ddsm
