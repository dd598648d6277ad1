#pragma once
// Any TorchScript image network as a feature extractor, e.g. the Inception
// that clean-fid and StyleGAN use for standard FID (inception-2015-12-05.pt,
// forward(img, return_features=True) on 0..255 RGB). Images are prepared the
// standard way: grayscale repeated to 3 channels, bilinear resize to the
// network's input size, and [-1, 1] mapped to the network's value range.
#include "evaluation/feature_extractor.h"

#include <memory>
#include <string>

namespace torch::jit {
struct Module;
}

namespace ddsm {

struct TorchScriptFeatureOptions {
    std::string path;
    // Which output holds the features:
    //  ""            forward(x) returns them (a tensor);
    //  a method      the module's method of that name, called as method(x);
    //  a bool flag   forward(x, NAME=True), when forward has a bool argument NAME
    //                (clean-fid's Inception: "return_features");
    //  a dict key    forward(x) returns a dict and NAME is one of its keys;
    //  an index      forward(x) returns a tuple and NAME is a 0-based index.
    std::string output;
    int inputSize = 299;          // square input; 0 keeps the images' size
    std::string range = "0-255";  // "0-255", "0-1" or "-1-1"
    int channels = 3;             // 3: grayscale images are repeated; 1: kept
};

class TorchScriptFeatures : public FeatureExtractor {
public:
    // Loads the module and runs one blank image to learn the feature size.
    // Throws ddsm::Error naming the path for a missing or unreadable file, an
    // output that does not exist, or an output that is not a tensor.
    explicit TorchScriptFeatures(TorchScriptFeatureOptions options);
    ~TorchScriptFeatures() override;

    // "torchscript:<file name>[:<output>]"
    std::string name() const override;
    int64_t dim() const override { return dim_; }
    at::Tensor features(const at::Tensor& images) override;

    // The tensor the network receives for `images` (exposed for tests).
    at::Tensor preprocess(const at::Tensor& images) const;

private:
    TorchScriptFeatureOptions options_;
    std::unique_ptr<torch::jit::Module> module_;
    int64_t dim_ = 0;
};

}  // namespace ddsm
