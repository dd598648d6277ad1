#include "evaluation/feature_classifier.h"

#include "base/error.h"
#include "base/json_fields.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace ddsm {

void ClassifierConfig::validate() const
{
    auto positive = [](int value, const char* field) {
        if (value < 1)
            throw Error(std::string("classifier ") + field + " must be at least 1, got " + std::to_string(value));
    };
    positive(channels, "channels");
    positive(conv1, "conv1");
    positive(conv2, "conv2");
    positive(featureDim, "feature_dim");
    positive(classes, "classes");
    if (imageSize < 4)
        throw Error("classifier image_size must be at least 4, got " + std::to_string(imageSize));
    if (!(dropout >= 0 && dropout < 1))
        throw Error("classifier dropout must be in [0, 1), got " + std::to_string(dropout));
}

nlohmann::json toJson(const ClassifierConfig& c)
{
    return {{"architecture", "conv-conv-linear-classifier"},
            {"image_size", c.imageSize},
            {"channels", c.channels},
            {"conv1", c.conv1},
            {"conv2", c.conv2},
            {"feature_dim", c.featureDim},
            {"classes", c.classes},
            {"dropout", c.dropout}};
}

ClassifierConfig classifierConfigFromJson(const nlohmann::json& json, const std::string& where)
{
    const JsonFields in(where + ": classifier architecture");
    if (in.getOr<std::string>(json, "", "architecture", "") != "conv-conv-linear-classifier")
        throw Error(where + ": architecture is not \"conv-conv-linear-classifier\"");
    ClassifierConfig c;
    c.imageSize = in.get<int>(json, "", "image_size");
    c.channels = in.get<int>(json, "", "channels");
    c.conv1 = in.get<int>(json, "", "conv1");
    c.conv2 = in.get<int>(json, "", "conv2");
    c.featureDim = in.get<int>(json, "", "feature_dim");
    c.classes = in.get<int>(json, "", "classes");
    c.dropout = in.get<double>(json, "", "dropout");
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return c;
}

FeatureClassifierImpl::FeatureClassifierImpl(ClassifierConfig config) : config_(config)
{
    config_.validate();
    using namespace torch::nn;
    conv1_ = register_module("conv1", Conv2d(Conv2dOptions(config_.channels, config_.conv1, 3).padding(1)));
    conv2_ = register_module("conv2", Conv2d(Conv2dOptions(config_.conv1, config_.conv2, 3).padding(1)));
    const int64_t pooled = config_.imageSize / 4;
    hidden_ = register_module("hidden", Linear(int64_t(config_.conv2) * pooled * pooled, config_.featureDim));
    logits_ = register_module("logits", Linear(config_.featureDim, config_.classes));
    dropout_ = register_module("dropout", Dropout(config_.dropout));
}

torch::Tensor FeatureClassifierImpl::features(const torch::Tensor& images)
{
    auto x = torch::max_pool2d(torch::relu(conv1_->forward(images)), 2);
    x = torch::max_pool2d(torch::relu(conv2_->forward(x)), 2);
    return torch::relu(hidden_->forward(x.flatten(1)));
}

torch::Tensor FeatureClassifierImpl::forward(const torch::Tensor& images)
{
    return logits_->forward(dropout_->forward(features(images)));
}

}  // namespace ddsm
