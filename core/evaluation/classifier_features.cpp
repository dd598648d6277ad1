#include "evaluation/classifier_features.h"

#include "base/error.h"
#include "metrics/tensor_checks.h"

#include <torch/torch.h>

namespace ddsm {

ClassifierFeatures::ClassifierFeatures(LoadedClassifier classifier) : classifier_(std::move(classifier)) {}

std::string ClassifierFeatures::name() const
{
    return classifier_.info.featureName + "@" + classifier_.sha256.substr(0, 8);
}

int64_t ClassifierFeatures::dim() const { return classifier_.net->config().featureDim; }

at::Tensor ClassifierFeatures::features(const at::Tensor& images)
{
    const auto& c = classifier_.net->config();
    if (images.dim() != 4 || images.size(1) != c.channels || images.size(2) != c.imageSize ||
        images.size(3) != c.imageSize)
        throw Error("feature classifier " + classifier_.path + " takes images [B, " + std::to_string(c.channels) +
                    ", " + std::to_string(c.imageSize) + ", " + std::to_string(c.imageSize) + "], got " +
                    shapeString(images));
    torch::NoGradGuard noGrad;
    classifier_.net->eval();
    return classifier_.net->features(images.to(torch::kCPU, torch::kFloat)).contiguous();
}

}  // namespace ddsm
