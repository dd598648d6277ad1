// ddsm flops: MACs per width (with a per-layer breakdown for an architecture)
// and per schedule, of an architecture or any model openModel opens.
#include "commands.h"
#include "common.h"
#include "schedule_options.h"

#include "base/error.h"
#include "engine/flops.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"

#include <cstdio>
#include <functional>
#include <map>
#include <optional>

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
    // An architecture (a model file's, or --config's) is counted layer by layer;
    // a family's members only as a whole.
    std::optional<NetConfig> config;
    std::shared_ptr<Denoiser> model;
    if (const auto path = args.get("config")) {
        config = loadNetConfig(*path);
    } else if (!args.positionals().empty()) {
        model = openModel(args);
        if (auto* slimmable = dynamic_cast<SlimmableDenoiser*>(model.get()))
            config = slimmable->net().config();
    } else {
        throw Error("give a MODEL or --config CFG");
    }
    if (args.has("breakdown") && !config)
        throw Error(args.positionals().front() + ": --breakdown counts the layers of a model file's architecture; a "
                    "family's members are TorchScript networks, counted as a whole");
    const std::vector<double> widths = config ? config->widths : model->widths();
    const std::function<double(double)> macsAt = [&](double w) {
        return config ? double(totalMacs(*config, w)) : model->macsPerImage(w);
    };
    const int T = config ? config->diffusion.T : model->diffusion().T;

    const double full = macsAt(widths.front());
    const std::string network = config ? describe(*config)
                                       : "family \"" + model->name() + "\", " + std::to_string(widths.size()) +
                                             " separately trained networks";
    std::printf("network: %s\n\n%-8s %14s %10s %9s", network.c_str(), "width", "MACs/image", "GFLOPs", "vs full");
    std::printf(config ? "   by kind: conv / linear / attention matmul\n" : "\n");
    for (double w : widths) {
        const double macs = macsAt(w);
        std::printf("%-8g %14.0f %10.4f %8.1f%%", w, macs, 2e-9 * macs, 100 * macs / full);
        if (config) {
            std::map<std::string, double> byKind;
            for (const auto& layer : countLayerMacs(*config, w))
                byKind[layer.kind] += double(layer.macs);
            std::printf("   %.1f%% / %.1f%% / %.1f%%", 100 * byKind["conv"] / macs, 100 * byKind["linear"] / macs,
                        100 * byKind["attention-matmul"] / macs);
        }
        std::printf("\n");
    }
    if (args.has("breakdown")) {
        std::printf("\n%-42s %-17s", "layer", "kind");
        for (double w : widths)
            std::printf(" %12s", ("w " + std::to_string(w).substr(0, 4)).c_str());
        std::printf("\n");
        std::vector<std::vector<LayerMacs>> perWidth;
        for (double w : widths)
            perWidth.push_back(countLayerMacs(*config, w));
        for (size_t i = 0; i < perWidth.front().size(); ++i) {
            std::printf("%-42s %-17s", perWidth.front()[i].layer.c_str(), perWidth.front()[i].kind.c_str());
            for (const auto& layers : perWidth)
                std::printf(" %12lld", static_cast<long long>(layers[i].macs));
            std::printf("\n");
        }
    }
    if (args.has("schedule") || args.has("steps") || args.has("width")) {
        const ScheduleChoice choice = chooseSchedule(args, T, widths);
        const auto cost = scheduleCost(choice.stepWidths, widths.front(), macsAt);
        std::printf("\nschedule: %s (%s)\n  %d steps: %.4f GFLOPs per image, %.4f GFLOPs mean per step, "
                    "saving %.1f%% vs full width\n",
                    choice.document.name.c_str(), choice.document.schedule.description().c_str(), choice.sampler.steps,
                    cost.gflopsPerImage(), 2e-9 * cost.meanMacsPerStep, 100 * cost.saving());
    }
    return 0;
}

}  // namespace ddsm::cli
