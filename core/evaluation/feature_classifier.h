#pragma once
// The default feature network: a small CNN trained to classify Fashion-MNIST.
// Its penultimate layer (after ReLU, like Inception's pool3 for standard FID)
// is the feature space: it responds to what distinguishes garments, which is
// what a generator must get right.
//   conv3x3(C->c1) ReLU maxpool2, conv3x3(c1->c2) ReLU maxpool2,
//   linear(c2*(S/4)^2 -> D) ReLU [features], dropout, linear(D -> classes)
#include <nlohmann/json_fwd.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <string>

namespace ddsm {

struct ClassifierConfig {
    int imageSize = 28;
    int channels = 1;
    int conv1 = 32;
    int conv2 = 64;
    int featureDim = 128;
    int classes = 10;
    double dropout = 0.25;

    // Throws ddsm::Error naming the field.
    void validate() const;
};

nlohmann::json toJson(const ClassifierConfig& config);
// `where` names the source in error messages.
ClassifierConfig classifierConfigFromJson(const nlohmann::json& json, const std::string& where);

class FeatureClassifierImpl : public torch::nn::Module {
public:
    explicit FeatureClassifierImpl(ClassifierConfig config);

    // images [B, C, S, S] in [-1, 1] -> features [B, featureDim].
    torch::Tensor features(const torch::Tensor& images);
    // images -> class logits [B, classes].
    torch::Tensor forward(const torch::Tensor& images);

    const ClassifierConfig& config() const { return config_; }

private:
    ClassifierConfig config_;
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
    torch::nn::Linear hidden_{nullptr}, logits_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(FeatureClassifier);

}  // namespace ddsm
