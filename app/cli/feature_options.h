#pragma once
// --features and its TorchScript preprocessing options, and the reference
// statistics they are compared with; shared by stats, fid, importance, predictor.
#include "args.h"

#include "metrics/gaussian_stats.h"

#include <memory>
#include <set>
#include <string>

namespace ddsm {
class FeatureExtractor;
}

namespace ddsm::cli {

std::unique_ptr<FeatureExtractor> openFeatures(const Args& args);

// --ref FILE, or the shipped Fashion-MNIST training statistics when the
// default feature network is used. Checked against the extractor.
GaussianStats openReference(const Args& args, const FeatureExtractor& extractor);

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
