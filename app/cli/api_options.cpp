#include "api_options.h"

namespace ddsm::cli {

Option snapWidthsOption()
{
    return {"snap-widths", "",
            "round schedule widths the model lacks to its nearest width\n"
            "(with a note) instead of refusing the schedule"};
}

OptionTable scheduleOptions()
{
    return {
        {"schedule", "FILE", "step-aware schedule (.json or the paper's search.txt)"},
        {"width", "W", "uniform width instead of a schedule\n", "", "the model's full width"},
        snapWidthsOption(),
    };
}

OptionTable featureNetworkOptions()
{
    return {
        {"features", "F",
         "feature network: \"default\" (the shipped Fashion-MNIST\n"
         "classifier), a classifier .safetensors, or a TorchScript\n"
         "network (e.g. clean-fid's inception-2015-12-05.pt)\n",
         "", "\"" + api::FeatureOptions().network + "\""},
        {"feature-output", "N",
         "TorchScript: method, bool flag of forward, dict key or tuple\n"
         "index holding the features (Inception: return_features)"},
        {"feature-size", "N", "TorchScript: bilinear resize to NxN, 0 = none", "299"},
        {"feature-range", "R", "TorchScript: input range 0-255, 0-1 or -1-1", "0-255"},
        {"feature-channels", "C", "TorchScript: 3 (grayscale repeated) or 1", "3"},
    };
}

OptionTable featureOptions()
{
    return featureNetworkOptions() +
           OptionTable{{"ref", "FILE", "reference statistics .npz (pytorch-fid layout)\n", "",
                        "the shipped fmnist-train-stats.npz\nwith the default features"}};
}

api::ScheduleRequest scheduleRequestFromArgs(const Args& args)
{
    api::ScheduleRequest request;
    request.file = args.get("schedule", "");
    if (args.has("width"))
        request.width = args.getDouble("width");
    request.snapWidths = args.has("snap-widths");
    return request;
}

api::FeatureOptions featureOptionsFromArgs(const Args& args)
{
    api::FeatureOptions options;
    options.network = args.get("features", options.network);
    options.output = args.get("feature-output", "");
    options.inputSize = args.getInt("feature-size");
    options.range = args.get("feature-range");
    options.channels = args.getInt("feature-channels");
    options.reference = args.get("ref", "");
    return options;
}

}  // namespace ddsm::cli
