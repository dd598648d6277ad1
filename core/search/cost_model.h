#pragma once
// The cost objective: what one sampler step costs at each width, per image,
// either counted (FLOPs) or measured on this machine (milliseconds, see
// latency_profile.h). The search minimises the cost relative to running every
// step at full width, so a budget of 0.5 means half the full-width cost.
#include <string>
#include <vector>

namespace ddsm {

class Denoiser;

struct CostModel {
    std::string kind;               // "flops" or "latency"
    std::string unit;               // of perWidth: "GFLOPs" or "ms" (per image and step)
    std::vector<double> perWidth;   // indexed like the widths; [0] is the full network

    // Sum over steps, per image.
    double absolute(const std::vector<int>& stepWidthIndices) const;
    // absolute / (steps x perWidth[0]).
    double relative(const std::vector<int>& stepWidthIndices) const;
};

// GFLOPs (2 x MACs) of one forward pass per image at each width.
CostModel flopsCostModel(const Denoiser& denoiser, const std::vector<double>& widths);

}  // namespace ddsm
