#pragma once
// Pieces every `ddsm` command shares: threads, opening a model, printing.
#include "args.h"

#include <memory>
#include <string>

namespace ddsm {
class Denoiser;
class SlimmableDenoiser;
struct NetConfig;
}  // namespace ddsm

namespace ddsm::cli {

// Applies --threads (default: every core) to torch and returns the count.
int applyThreads(const Args& args);

// MODEL (a .safetensors model file) from the first positional, or an untrained
// network with `--init random --config CFG [--seed-init N]`.
std::shared_ptr<SlimmableDenoiser> openModel(const Args& args, std::string* description = nullptr);

// Options shared by every command that opens a model.
inline const char* kModelOptionsHelp =
    "  MODEL                a model file (.safetensors)\n"
    "  --init random        use an untrained network instead of MODEL (needs --config)\n"
    "  --config CFG         architecture JSON for --init random (see configs/)\n"
    "  --threads N          CPU threads (default: all cores)\n";

}  // namespace ddsm::cli
