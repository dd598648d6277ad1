#pragma once
// Multiply-accumulates (MACs) of the slimmable UNet, counted from its structure.
// FLOPs = 2 x MACs. Counted: convolutions, linear layers and the two attention
// matmuls (QK^T and AV). Not counted: normalisation, activations, softmax,
// additions, up/down-sampling copies (together well under 1% here).
// Torch-free, so the GUI can recount costs as the user edits.
#include "engine/net_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

struct LayerMacs {
    std::string layer;  // parameter path, e.g. "downblocks.3.attn"
    std::string kind;   // "conv", "linear", "attention-matmul"
    int64_t macs = 0;   // per image
};

std::vector<LayerMacs> countLayerMacs(const NetConfig& config, double width);
int64_t totalMacs(const NetConfig& config, double width);

// Cost of a schedule: one forward pass per sampler step at that step's width.
struct ScheduleCost {
    double macsPerImage = 0;      // whole trajectory, one image
    double meanMacsPerStep = 0;
    double fullWidthMacsPerImage = 0;
    double saving() const { return fullWidthMacsPerImage > 0 ? 1.0 - macsPerImage / fullWidthMacsPerImage : 0; }
    double gflopsPerImage() const { return 2e-9 * macsPerImage; }
};

// `stepWidths` are the widths of the sampler's steps; `macsAt` gives MACs per width.
template <typename MacsAt>
ScheduleCost scheduleCost(const std::vector<double>& stepWidths, double fullWidth, MacsAt macsAt)
{
    ScheduleCost cost;
    for (double w : stepWidths)
        cost.macsPerImage += macsAt(w);
    const double full = macsAt(fullWidth);
    cost.fullWidthMacsPerImage = full * double(stepWidths.size());
    cost.meanMacsPerStep = stepWidths.empty() ? 0 : cost.macsPerImage / double(stepWidths.size());
    return cost;
}

}  // namespace ddsm
