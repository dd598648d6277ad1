// ddsm info: what a model holds, for every kind of model openModel opens
// (a model file or a family manifest).
#include "commands.h"
#include "common.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm info MODEL [--json] [--latency [--batch B] [--rounds R] [--threads N]]\n\n"
    "Architecture, widths, parameters, MACs per width and provenance of a model file, or the\n"
    "members of a family manifest.\n"
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"json", "", "print the description as JSON (no latency)"},
               {"latency", "",
                "also time one network call per width on this machine\n"
                "(widths round-robin) and print ms per image-step"},
               {"batch", "B", "images per timed call", "64"},
               {"rounds", "R", "timed rounds, their median printed", "5"},
           } +
           threadsOption();
}

}  // namespace

int runInfo(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp() || args.positionals().size() != 1) {
        std::fprintf(args.wantsHelp() ? stdout : stderr, "%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str());
        return args.wantsHelp() ? 0 : 2;
    }
    const int threads = applyThreads(args);
    const std::string path = args.positionals().front();
    const api::Model model = openApiModel(args);
    const api::ModelReport summary = api::describeModel(model);
    const std::vector<double>& widths = summary.widths;
    if (args.has("json")) {
        nlohmann::json j{{"path", path},
                         {"sha256", summary.sha256},
                         {"architecture", nlohmann::json::parse(summary.architectureJson)},
                         {"parameters", summary.parameters},
                         {"provenance", nlohmann::json::parse(summary.provenanceJson)}};
        for (size_t i = 0; i < widths.size(); ++i)
            j["macs_per_width"][std::to_string(widths[i])] = std::llround(summary.macsPerWidth[i]);
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("model:       %s\nsha256:      %s\narchitecture: %s\nparameters:  %lld (%.2f MB as float32)\n",
                path.c_str(), summary.sha256.c_str(), summary.architecture.c_str(),
                static_cast<long long>(summary.parameters), summary.parameters * 4 / 1e6);
    std::printf("diffusion:   T %d, %s betas %g..%g, %s prediction\n", summary.T, summary.betaSchedule.c_str(),
                summary.betaStart, summary.betaEnd, summary.prediction.c_str());
    std::printf("\n%-8s %14s %12s %10s\n", "width", "MACs/image", "GFLOPs", "vs full");
    const double full = summary.macsPerWidth.front();
    for (size_t i = 0; i < widths.size(); ++i) {
        const double macs = summary.macsPerWidth[i];
        std::printf("%-8g %14.0f %12.4f %9.1f%%\n", widths[i], macs, 2e-9 * macs, 100 * macs / full);
    }
    if (summary.family) {
        std::printf("\n");
        for (const auto& line : summary.widthDescriptions)
            std::printf("%s\n", line.c_str());
    }
    if (args.has("latency")) {
        api::TimingOptions options;
        options.batch = args.getInt("batch");
        options.rounds = args.getInt("rounds");
        const std::vector<double> latency = api::measureLatency(model, options);
        std::printf("\nmeasured latency (batch %d, median of %d rounds, %d threads)\n%-8s %16s %12s %12s\n",
                    options.batch, options.rounds, threads, "width", "ms/image-step", "vs full", "GFLOP/s");
        for (size_t i = 0; i < widths.size(); ++i) {
            const double ms = latency[i];
            std::printf("%-8g %16.4f %11.1f%% %12.1f\n", widths[i], ms, 100 * ms / latency[0],
                        2e-9 * summary.macsPerWidth[i] / (ms * 1e-3));
        }
    }
    std::printf("\nprovenance:  %s\n", summary.provenanceJson.c_str());
    return 0;
}

}  // namespace ddsm::cli
