// ddsm widen: a trained model becomes the prefix of a wider one (see
// training/model_widening.h), ready for `ddsm train --init-weights`.
#include "commands.h"
#include "common.h"

#include "base/error.h"
#include "base/sha256.h"
#include "engine/model_file.h"
#include "training/model_widening.h"

#include <nlohmann/json.hpp>

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
    const std::string path = args.positionals().front();
    const std::string configPath = *args.given("config");
    const LoadedModel trained = openSlimmableModel(path, "ddsm widen");
    const NetConfig wider = loadNetConfig(configPath);
    const WidenedModel widened = widenModel(*trained.net, wider, args.getSeed("seed"));

    const nlohmann::json provenance{{"created_by", "ddsm widen"},
                                    {"from", path + "@" + sha256OfFile(path)},
                                    {"config", configPath},
                                    {"embedded_width", widened.embeddedWidth},
                                    {"from_provenance", nlohmann::json::parse(trained.provenanceJson)}};
    const std::string out = *args.given("out");
    saveModel(out, *widened.net, provenance.dump());
    std::printf("%s: %s\n  width %g reproduces %s (largest difference %.2e on a random batch)\n", out.c_str(),
                describe(wider).c_str(), widened.embeddedWidth, path.c_str(), widened.maxDifference);
    return 0;
}

}  // namespace ddsm::cli
