#pragma once
// Pieces every `ddsm` command shares: threads, opening a model, printing.
#include "args.h"

#include "api/ddsm_api.h"

#include <memory>
#include <string>

#include "engine/model_file.h"
#include "engine/net_config.h"

#include <vector>

namespace ddsm {
class Denoiser;
}  // namespace ddsm

namespace ddsm::cli {

// Applies --threads (default: every core) to torch and returns the count.
int applyThreads(const Args& args);

// MODEL from the first positional: a .safetensors model file or a family
// manifest (.json); or an untrained network with `--init random --config CFG
// [--seed-init N]`.
api::Model openApiModel(const Args& args);
std::shared_ptr<Denoiser> openModel(const Args& args, std::string* description = nullptr);

// --sampler ddim|ddpm, --steps N, --eta X, --variance, --seed K, --no-clip
// (samplerOptions, with their defaults); checked against T by the operation
// that runs it.
api::Sampler apiSamplerFromArgs(const Args& args);

// MODEL for what needs the slimmable network itself (`widen`, `train
// --init-weights`): opened as openModel opens any model, so every kind of file
// gets the same checks and messages; a family is refused, naming `use`.
LoadedModel openSlimmableModel(const std::string& path, const std::string& use);

// What commands need to know of any model, slimmable or family.
struct ModelShape {
    int imageSize = 0;
    int channels = 0;
    DiffusionConfig diffusion;
    std::vector<double> widths;  // descending
};
ModelShape shapeOf(const Denoiser& denoiser);

// --steps (default `defaultSteps`: the command's), --sampler, --eta,
// --variance, --seed, --no-clip: what apiSamplerFromArgs and samplerFromArgs read.
OptionTable samplerOptions(int defaultSteps);

// --threads: what applyThreads reads.
OptionTable threadsOption();

// --init, --config, --seed-init (what openApiModel reads) and --threads.
OptionTable modelOptions();

// The MODEL argument's row, for the help of commands that open one.
inline const char* kModelArgumentHelp =
    "  MODEL                a model file (.safetensors) or a family manifest (.json)\n";

}  // namespace ddsm::cli
