#pragma once
// Noise on every weight of a network. Its initialisation starts the last
// layers near zero, so every width would compute about the same thing and a
// comparison of outputs would hold for almost any code; weights as training
// leaves them (every one non-zero) make it mean something.
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <cstdint>

namespace ddsm::test {

inline void perturbWeights(SlimmableUNet& net, uint64_t seed)
{
    torch::NoGradGuard noGrad;
    auto g = at::detail::createCPUGenerator(seed);
    for (auto& p : net.parameters())
        p.add_(torch::randn(p.sizes(), g) * 0.1);
}

}  // namespace ddsm::test
