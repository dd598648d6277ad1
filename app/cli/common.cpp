#include "common.h"

#include "base/error.h"

#include <csignal>

namespace ddsm::cli {

int applyThreads(const Args& args)
{
    const int threads = args.getInt("threads", api::defaultThreadCount());
    api::setThreadCount(threads);
    return threads;
}

api::Model openApiModel(const Args& args)
{
    api::OpenOptions options;
    if (args.has("init")) {
        if (args.get("init", "") != "random")
            throw Error("--init accepts only \"random\"");
        options.randomInit = true;
        options.config = args.get("config", "");
        options.initSeed = args.getSeed("seed-init");
    } else if (!args.positionals().empty()) {
        options.path = args.positionals().front();
    }
    return api::openModel(options);
}

api::Sampler apiSamplerFromArgs(const Args& args)
{
    api::Sampler sampler;
    sampler.kind = args.get("sampler");
    sampler.steps = args.getInt("steps");
    sampler.eta = args.getDouble("eta");
    sampler.variance = args.get("variance");
    sampler.seed = args.getSeed("seed");
    sampler.clipX0 = !args.has("no-clip");
    return sampler;
}

api::Sampler apiSamplerFromArgs(const Args& args, const api::Sampler& base)
{
    const api::Sampler given = apiSamplerFromArgs(args);
    api::Sampler sampler = base;
    if (args.has("sampler"))
        sampler.kind = given.kind;
    if (args.has("steps"))
        sampler.steps = given.steps;
    if (args.has("eta"))
        sampler.eta = given.eta;
    if (args.has("variance"))
        sampler.variance = given.variance;
    if (args.has("seed"))
        sampler.seed = given.seed;
    if (args.has("no-clip"))
        sampler.clipX0 = false;
    return sampler;
}

OptionTable samplerOptions(int defaultSteps)
{
    return {
        {"steps", "N", "sampler steps, respaced evenly over T", std::to_string(defaultSteps)},
        {"sampler", "KIND", "ddim or ddpm", "ddim"},
        {"eta", "X", "DDIM eta", "0"},
        {"variance", "V", "DDPM fixedlarge or fixedsmall", "fixedlarge"},
        {"seed", "K", "noise seed", "0"},
        {"no-clip", "", "do not clamp predicted x0 to [-1, 1]"},
    };
}

OptionTable threadsOption() { return {{"threads", "N", "CPU threads", "", "all cores"}}; }

OptionTable modelOptions()
{
    return OptionTable{
               {"init", "random", "use an untrained network instead of MODEL (needs --config)"},
               {"config", "CFG", "architecture JSON for --init random (see configs/)"},
               {"seed-init", "N", "initialisation seed of --init random", "0"},
           } +
           threadsOption();
}

namespace {

api::CancelToken interrupted{false};

void onInterrupt(int signal)
{
    interrupted = true;
    std::signal(signal, SIG_DFL);  // the next one is not asked twice
}

}  // namespace

const api::CancelToken* cancelOnInterrupt()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return &interrupted;
}

}  // namespace ddsm::cli
