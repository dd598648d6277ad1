// ddsm widen: a trained model becomes the prefix of a wider one (api::widenModel),
// ready for `ddsm train --init-weights`.
#include "commands.h"
#include "common.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm widen MODEL --config WIDER.json --out WIDER.safetensors [--seed N]\n\n"
    "A wider network whose sub-network at one of its widths computes exactly what MODEL's\n"
    "full width computes (checked on a random batch). WIDER.json has MODEL's architecture\n"
    "with base_channels a multiple of it and a width with MODEL's channel counts.\n"
    "Train it on with ddsm train --init-weights WIDER.safetensors.\n"
    "\n";

OptionTable optionTable()
{
    return {
        {"config", "WIDER.json", "the wider architecture (required)"},
        {"out", "FILE", "the wider model file to write (.safetensors, required)"},
        {"seed", "N", "initialisation of the new parameters", "0"},
    };
}

}  // namespace

int runWiden(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp() || args.positionals().size() != 1 || !args.has("config") || !args.has("out")) {
        std::fprintf(args.wantsHelp() ? stdout : stderr, "%s%s", kHelp, table.help().c_str());
        return args.wantsHelp() ? 0 : 2;
    }
    api::WidenOptions options;
    options.model = args.positionals().front();
    options.config = *args.given("config");
    options.out = *args.given("out");
    options.seed = args.getSeed("seed");
    const api::WidenResult widened = api::widenModel(options);
    std::printf("%s: %s\n  width %g reproduces %s (largest difference %.2e on a random batch)\n", options.out.c_str(),
                widened.architecture.c_str(), widened.embeddedWidth, options.model.c_str(), widened.maxDifference);
    return 0;
}

}  // namespace ddsm::cli
