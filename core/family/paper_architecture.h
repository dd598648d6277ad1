#pragma once
// The architecture of a state dict of DDSM's SlimmableUNet (the paper's
// slimmable_model.py), read from tensor names and shapes alone. Torch-free.
//
// The paper fixes what the weights cannot show: GroupNorm with 32 groups,
// time-embedding width 4 x ch, widths out of {1, 0.75, 0.5, 0.25}, linear betas
// 1e-4..0.02 and epsilon prediction (its CIFAR-10 flagfile). The image size is
// not in the weights either: the caller gives it (e.g. from the checkpoint's x_T).
#include "engine/net_config.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ddsm {

using TensorShapes = std::map<std::string, std::vector<int64_t>>;

// Base channels and image channels from head.weight, T from the rows of
// time_embedding.timembedding.0.weight, channel_mult from the residual blocks'
// conv shapes between the downsampling convs, num_res_blocks from how many
// there are per level, attention levels from which blocks have "attn" weights.
// Only the down path is read; the decoder and middle are checked when the
// weights are loaded against the network built from this config. Throws
// ddsm::Error naming `where` and the tensor that does not fit the layout.
NetConfig inferPaperArchitecture(const TensorShapes& shapes, int imageSize, const std::string& where);

// Whether the paper's own code can run `config` at `width`: every GroupNorm
// sees a multiple of 32 channels, the time projection (rounded to 16) matches
// its convolution (rounded to 8), and attention q/k/v (rounded to 1) match
// their input. Our engine runs any width; a checkpoint was trained only on these.
bool paperRunsAtWidth(const NetConfig& config, double width);

// The paper's widths {1, 0.75, 0.5, 0.25} that paperRunsAtWidth accepts.
std::vector<double> paperWidthsFor(const NetConfig& config);

}  // namespace ddsm
