#pragma once
// Pieces every `ddsm` command shares: threads, opening a model, printing.
#include "args.h"

#include "api/ddsm_api.h"

#include <string>

namespace ddsm::cli {

// Applies --threads (default: every core) to torch and returns the count.
int applyThreads(const Args& args);

// MODEL from the first positional: a .safetensors model file or a family
// manifest (.json); or an untrained network with `--init random --config CFG
// [--seed-init N]`.
api::Model openApiModel(const Args& args);

// --sampler ddim|ddpm, --steps N, --eta X, --variance, --seed K, --no-clip
// (samplerOptions, with their defaults); checked against T by the operation
// that runs it.
api::Sampler apiSamplerFromArgs(const Args& args);
// `base` with only the sampler options given on the command line changed.
api::Sampler apiSamplerFromArgs(const Args& args, const api::Sampler& base);

// --steps (default `defaultSteps`: the command's), --sampler, --eta,
// --variance, --seed, --no-clip: what apiSamplerFromArgs reads.
OptionTable samplerOptions(int defaultSteps);

// --threads: what applyThreads reads.
OptionTable threadsOption();

// --init, --config, --seed-init (what openApiModel reads) and --threads.
OptionTable modelOptions();

// A token that Ctrl-C (SIGINT) or SIGTERM sets, so a long command stops at
// its next check and saves what it keeps; a second Ctrl-C ends the process
// at once.
const api::CancelToken* cancelOnInterrupt();
// What a command that stopped on Ctrl-C before writing its output returns
// (128 + SIGINT, as a shell reports it), so a script running it stops too.
inline constexpr int kInterruptedExit = 130;

// The MODEL argument's row, for the help of commands that open one.
inline const char* kModelArgumentHelp =
    "  MODEL                a model file (.safetensors) or a family manifest (.json)\n";

}  // namespace ddsm::cli
