#pragma once
// --features and its TorchScript preprocessing options, and the reference
// statistics they are compared with; shared by stats, fid, importance, predictor.
#include "api_options.h"
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

}  // namespace ddsm::cli
