// ddsm flops: MACs per width (with a per-layer breakdown) and per schedule.
#include "commands.h"
#include "common.h"
#include "schedule_options.h"

#include "base/error.h"
#include "engine/flops.h"
#include "engine/model_file.h"

#include <cstdio>
#include <map>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm flops (MODEL | --config CFG) [--schedule S | --width W] [--steps N] [--breakdown]\n"
    "\n"
    "Multiply-accumulates (MACs) per image, counted from the network structure;\n"
    "FLOPs = 2 x MACs. Counted: convolutions, linear layers, attention matmuls.\n"
    "Not counted: normalisation, activations, softmax, additions, resampling copies.\n"
    "\n"
    "  --breakdown          per-layer MACs at each width\n";

}  // namespace

int runFlops(const std::vector<std::string>& argv)
{
    auto valueOptions = kScheduleValueOptions;
    valueOptions.insert({"config", "threads"});
    const Args args(argv, valueOptions, {"breakdown", "no-clip", "snap-widths"});
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, kScheduleOptionsHelp);
        return 0;
    }
    NetConfig c;
    if (const auto config = args.get("config"))
        c = loadNetConfig(*config);
    else if (!args.positionals().empty())
        c = loadModel(args.positionals().front()).config;
    else
        throw Error("give a MODEL or --config CFG");

    const double full = double(totalMacs(c, 1.0));
    std::printf("network: %s\n\n%-8s %14s %10s %9s   by kind: conv / linear / attention matmul\n", describe(c).c_str(),
                "width", "MACs/image", "GFLOPs", "vs full");
    for (double w : c.widths) {
        std::map<std::string, double> byKind;
        for (const auto& layer : countLayerMacs(c, w))
            byKind[layer.kind] += double(layer.macs);
        const double macs = double(totalMacs(c, w));
        std::printf("%-8g %14.0f %10.4f %8.1f%%   %.1f%% / %.1f%% / %.1f%%\n", w, macs, 2e-9 * macs, 100 * macs / full,
                    100 * byKind["conv"] / macs, 100 * byKind["linear"] / macs, 100 * byKind["attention-matmul"] / macs);
    }
    if (args.has("breakdown")) {
        std::printf("\n%-42s %-17s", "layer", "kind");
        for (double w : c.widths)
            std::printf(" %12s", ("w " + std::to_string(w).substr(0, 4)).c_str());
        std::printf("\n");
        std::vector<std::vector<LayerMacs>> perWidth;
        for (double w : c.widths)
            perWidth.push_back(countLayerMacs(c, w));
        for (size_t i = 0; i < perWidth.front().size(); ++i) {
            std::printf("%-42s %-17s", perWidth.front()[i].layer.c_str(), perWidth.front()[i].kind.c_str());
            for (const auto& layers : perWidth)
                std::printf(" %12lld", static_cast<long long>(layers[i].macs));
            std::printf("\n");
        }
    }
    if (args.has("schedule") || args.has("steps") || args.has("width")) {
        const ScheduleChoice choice = chooseSchedule(args, c.diffusion.T, c.widths);
        const auto cost = scheduleCost(choice.stepWidths, c.widths.front(),
                                       [&](double w) { return double(totalMacs(c, w)); });
        std::printf("\nschedule: %s (%s)\n  %d steps: %.4f GFLOPs per image, %.4f GFLOPs mean per step, "
                    "saving %.1f%% vs full width\n",
                    choice.document.name.c_str(), choice.document.schedule.description().c_str(), choice.sampler.steps,
                    cost.gflopsPerImage(), 2e-9 * cost.meanMacsPerStep, 100 * cost.saving());
    }
    return 0;
}

}  // namespace ddsm::cli
