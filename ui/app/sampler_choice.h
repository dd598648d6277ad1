#pragma once
// The sampler settings of the Denoising form, on their own so that the
// workspace document can hold them without QtGui.
#include <cstdint>
#include <string>

namespace ddsm::ui {

// The sampler settings the user edits in the Denoising form.
struct SamplerChoice {
    std::string kind = "ddim";  // "ddim" or "ddpm"
    int steps = 50;
    double eta = 0.0;
    uint64_t seed = 0;
    int count = 16;             // images in the grid

    friend bool operator==(const SamplerChoice& a, const SamplerChoice& b)
    {
        return a.kind == b.kind && a.steps == b.steps && a.eta == b.eta && a.seed == b.seed && a.count == b.count;
    }
    friend bool operator!=(const SamplerChoice& a, const SamplerChoice& b) { return !(a == b); }
};

}  // namespace ddsm::ui
