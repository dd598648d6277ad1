#include "tiny_model.h"

#include "engine/model_file.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

ddsm::NetConfig tinyConfig()
{
    ddsm::NetConfig c;
    c.imageSize = 8;
    c.channels = 1;
    c.baseChannels = 8;
    c.channelMult = {1, 2};
    c.numResBlocks = 1;
    c.attentionLevels = {1};
    c.dropout = 0.0;
    c.normGroups = 4;
    c.widths = {1.0, 0.5};
    c.diffusion.T = 100;
    return c;
}

ddsm::NetConfig slowerConfig()
{
    ddsm::NetConfig c = tinyConfig();
    c.imageSize = 16;
    c.baseChannels = 32;
    c.normGroups = 8;
    return c;
}

int64_t writeModel(const std::string& path, const ddsm::NetConfig& config, uint64_t seed)
{
    ddsm::SlimmableUNet net(config);
    net.initialize(seed);
    ddsm::saveModel(path, net, R"({"created_by": "test_ui"})");
    int64_t count = 0;
    for (const auto& p : net.parameters())
        count += p.numel();
    return count;
}
