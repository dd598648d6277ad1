// ddsm flops: MACs per width (with a per-layer breakdown for an architecture)
// and per schedule, of an architecture or any model openModel opens.
#include "api_options.h"
#include "commands.h"
#include "common.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm flops (MODEL | --config CFG) [--schedule S | --width W] [--steps N] [--breakdown]\n"
    "\n"
    "MODEL is a model file (.safetensors) or a family manifest (.json; each member's cost as\n"
    "counted when it was opened, no per-layer breakdown).\n"
    "Multiply-accumulates (MACs) per image, counted from the network structure;\n"
    "FLOPs = 2 x MACs. Counted: convolutions, linear layers, attention matmuls.\n"
    "Not counted: normalisation, activations, softmax, additions, resampling copies.\n"
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"config", "CFG", "architecture JSON to count instead of MODEL"},
               {"breakdown", "", "per-layer MACs at each width"},
           } +
           scheduleOptions() + samplerOptions(50) + threadsOption();
}

}  // namespace

int runFlops(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, table.help().c_str());
        return 0;
    }
    applyThreads(args);
    // An architecture (a model file's, or --config's) is counted layer by layer;
    // a family's members only as a whole.
    api::CostOptions options;
    api::Model model;
    if (const auto path = args.given("config"))
        options.config = *path;
    else if (!args.positionals().empty())
        model = openApiModel(args);
    else
        throw Error("give a MODEL or --config CFG");
    options.breakdown = args.has("breakdown");
    if (args.has("schedule") || args.has("steps") || args.has("width")) {
        options.schedule = scheduleRequestFromArgs(args);
        options.sampler = apiSamplerFromArgs(args);
    }
    options.note = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    const api::CostReport r = api::countCosts(model, options);
    const std::vector<double>& widths = r.widths;

    const double full = r.macsPerWidth.front();
    std::printf("network: %s\n\n%-8s %14s %10s %9s", r.network.c_str(), "width", "MACs/image", "GFLOPs", "vs full");
    std::printf(r.layered ? "   by kind: conv / linear / attention matmul\n" : "\n");
    for (size_t i = 0; i < widths.size(); ++i) {
        const double macs = r.macsPerWidth[i];
        std::printf("%-8g %14.0f %10.4f %8.1f%%", widths[i], macs, 2e-9 * macs, 100 * macs / full);
        if (r.layered)
            std::printf("   %.1f%% / %.1f%% / %.1f%%", 100 * r.convMacs[i] / macs, 100 * r.linearMacs[i] / macs,
                        100 * r.attentionMacs[i] / macs);
        std::printf("\n");
    }
    if (options.breakdown) {
        std::printf("\n%-42s %-17s", "layer", "kind");
        for (double w : widths)
            std::printf(" %12s", ("w " + std::to_string(w).substr(0, 4)).c_str());
        std::printf("\n");
        for (const auto& layer : r.layers) {
            std::printf("%-42s %-17s", layer.layer.c_str(), layer.kind.c_str());
            for (int64_t macs : layer.macsPerWidth)
                std::printf(" %12lld", static_cast<long long>(macs));
            std::printf("\n");
        }
    }
    if (r.hasSchedule)
        std::printf("\nschedule: %s (%s)\n  %d steps: %.4f GFLOPs per image, %.4f GFLOPs mean per step, "
                    "saving %.1f%% vs full width\n",
                    r.scheduleName.c_str(), r.scheduleDescription.c_str(), r.steps, r.gflopsPerImage,
                    r.gflopsMeanPerStep, 100 * r.saving);
    return 0;
}

}  // namespace ddsm::cli
