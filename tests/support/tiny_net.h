#pragma once
// The small slimmable UNet the suites build models of: 8x8x1 images, base
// channels 16 x (1, 2), one residual block a level, attention at the second,
// GroupNorm 4, no dropout, widths {1, 0.5}, T = 40. Small enough that a test
// samples or trains it in moments; each suite changes the fields it needs
// (and says why) on a copy.
#include "engine/net_config.h"

namespace ddsm::test {

inline NetConfig tinyNet()
{
    NetConfig c;
    c.imageSize = 8;
    c.channels = 1;
    c.baseChannels = 16;
    c.channelMult = {1, 2};
    c.numResBlocks = 1;
    c.attentionLevels = {1};
    c.normGroups = 4;
    c.dropout = 0;
    c.widths = {1.0, 0.5};
    c.diffusion.T = 40;
    return c;
}

}  // namespace ddsm::test
