#pragma once
// Command-line options that become the public API's option structs
// (api/ddsm_api.h): --schedule / --width, --features and --ref.
#include "args.h"

#include "api/ddsm_api.h"

#include <set>
#include <string>

namespace ddsm::cli {

// --schedule FILE or --width W (neither: the model's full width), --snap-widths.
api::ScheduleRequest scheduleRequestFromArgs(const Args& args);

// --features and its TorchScript preprocessing options, --ref.
api::FeatureOptions featureOptionsFromArgs(const Args& args);

inline const char* kScheduleOptionsHelp =
    "  --schedule FILE      step-aware schedule (.json or the paper's search.txt)\n"
    "  --width W            uniform width instead of a schedule (default 1.0)\n"
    "  --steps N            sampler steps, respaced evenly over T (default 50)\n"
    "  --sampler KIND       ddim (default) or ddpm\n"
    "  --eta X              DDIM eta (default 0)\n"
    "  --variance V         DDPM fixedlarge (default) or fixedsmall\n"
    "  --seed K             noise seed (default 0)\n"
    "  --no-clip            do not clamp predicted x0 to [-1, 1]\n"
    "  --snap-widths        round schedule widths the model lacks to its nearest width\n"
    "                       (with a note) instead of refusing the schedule\n";

inline const std::set<std::string> kScheduleValueOptions{"schedule", "width", "steps", "sampler", "eta", "variance", "seed"};
inline const std::set<std::string> kScheduleFlagOptions{"no-clip", "snap-widths"};

inline const std::set<std::string> kFeatureValueOptions{"features", "feature-output", "feature-size", "feature-range",
                                                        "feature-channels", "ref"};

inline const char* kFeatureOptionsHelp =
    "  --features F         feature network: default (the shipped Fashion-MNIST\n"
    "                       classifier), a classifier .safetensors, or a TorchScript\n"
    "                       network (e.g. clean-fid's inception-2015-12-05.pt)\n"
    "  --feature-output N   TorchScript: method, bool flag of forward, dict key or tuple\n"
    "                       index holding the features (Inception: return_features)\n"
    "  --feature-size N     TorchScript: bilinear resize to NxN (default 299, 0 = none)\n"
    "  --feature-range R    TorchScript: input range 0-255 (default), 0-1 or -1-1\n"
    "  --feature-channels C TorchScript: 3 (grayscale repeated, default) or 1\n"
    "  --ref FILE           reference statistics .npz (pytorch-fid layout; default the\n"
    "                       shipped fmnist-train-stats.npz for the default features)\n";

}  // namespace ddsm::cli
