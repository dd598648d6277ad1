#include "evaluation/torchscript_features.h"

#include "base/error.h"
#include "metrics/tensor_checks.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cctype>
#include <filesystem>

namespace ddsm {

namespace {

bool isIndex(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool forwardHasBoolFlag(torch::jit::Module& module, const std::string& name)
{
    const auto forward = module.find_method("forward");
    if (!forward)
        return false;
    for (const auto& argument : forward->function().getSchema().arguments())
        if (argument.name() == name && argument.type()->kind() == c10::TypeKind::BoolType)
            return true;
    return false;
}

}  // namespace

TorchScriptFeatures::TorchScriptFeatures(TorchScriptFeatureOptions options) : options_(std::move(options))
{
    const std::string& path = options_.path;
    if (options_.range != "0-255" && options_.range != "0-1" && options_.range != "-1-1")
        throw Error("feature network range must be 0-255, 0-1 or -1-1, got \"" + options_.range + "\"");
    if (options_.channels != 1 && options_.channels != 3)
        throw Error("feature network channels must be 1 or 3, got " + std::to_string(options_.channels));
    if (options_.inputSize < 0)
        throw Error("feature network input size must be positive (or 0 to keep the image size)");
    if (!std::filesystem::exists(path))
        throw Error(path + ": feature network not found");
    try {
        module_ = std::make_unique<torch::jit::Module>(torch::jit::load(path, torch::kCPU));
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable TorchScript module: " + e.what_without_backtrace());
    }
    module_->eval();
    const int size = options_.inputSize > 0 ? options_.inputSize : 32;
    const auto probe = features(torch::zeros({1, options_.channels, size, size}));
    dim_ = probe.size(1);
}

TorchScriptFeatures::~TorchScriptFeatures() = default;

std::string TorchScriptFeatures::name() const
{
    std::string name = "torchscript:" + std::filesystem::path(options_.path).filename().string();
    return options_.output.empty() ? name : name + ":" + options_.output;
}

at::Tensor TorchScriptFeatures::preprocess(const at::Tensor& images) const
{
    if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
        throw Error("feature network " + options_.path + " takes images [B, 1 or 3, H, W], got " +
                    shapeString(images));
    auto x = images.to(torch::kCPU, torch::kFloat);
    if (x.size(1) == 1 && options_.channels == 3)
        x = x.repeat({1, 3, 1, 1});
    else if (x.size(1) != options_.channels)
        throw Error("feature network " + options_.path + " takes " + std::to_string(options_.channels) +
                    "-channel images, got " + shapeString(images));
    const int size = options_.inputSize;
    if (size > 0 && (x.size(2) != size || x.size(3) != size))
        x = torch::nn::functional::interpolate(
            x, torch::nn::functional::InterpolateFuncOptions()
                   .size(std::vector<int64_t>{size, size})
                   .mode(torch::kBilinear)
                   .align_corners(false));
    if (options_.range == "0-255")
        return (x + 1) * 127.5;
    if (options_.range == "0-1")
        return (x + 1) * 0.5;
    return x;
}

at::Tensor TorchScriptFeatures::features(const at::Tensor& images)
{
    const auto input = preprocess(images);
    const std::string& output = options_.output;
    const std::string where = "feature network " + options_.path;
    torch::NoGradGuard noGrad;
    c10::IValue result;
    try {
        if (!output.empty() && module_->find_method(output)) {
            result = module_->get_method(output)({input});
        } else if (!output.empty() && forwardHasBoolFlag(*module_, output)) {
            result = module_->get_method("forward")({input}, {{output, true}});
        } else {
            result = module_->forward({input});
        }
    } catch (const c10::Error& e) {
        throw Error(where + " failed on input " + shapeString(input) + ": " + e.what_without_backtrace());
    }
    const bool usedDirectly = output.empty() || module_->find_method(output) || forwardHasBoolFlag(*module_, output);
    if (!usedDirectly) {
        if (result.isGenericDict()) {
            const auto dict = result.toGenericDict();
            std::string keys;
            c10::IValue found;
            for (const auto& entry : dict) {
                const auto key = entry.key().isString() ? entry.key().toStringRef() : std::string("?");
                keys += (keys.empty() ? "" : ", ") + key;
                if (key == output)
                    found = entry.value();
            }
            if (found.isNone())
                throw Error(where + " has no output \"" + output + "\" (its outputs: " + keys + ")");
            result = found;
        } else if (result.isTuple() && isIndex(output)) {
            const auto& elements = result.toTupleRef().elements();
            const size_t index = std::stoul(output);
            if (index >= elements.size())
                throw Error(where + " returns " + std::to_string(elements.size()) + " outputs, no index " + output);
            result = elements[index];
        } else {
            throw Error(where + " has no method, bool flag of forward, dict key or tuple index \"" + output + "\"");
        }
    }
    if (!result.isTensor())
        throw Error(where + (output.empty() ? std::string(" does not return a tensor; name an output")
                                            : " output \"" + output + "\" is not a tensor"));
    auto features = result.toTensor().to(torch::kCPU, torch::kFloat);
    if (features.dim() < 1 || features.size(0) != input.size(0))
        throw Error(where + " returned " + shapeString(features) + " for a batch of " +
                    std::to_string(input.size(0)));
    return features.reshape({input.size(0), -1}).contiguous();
}

}  // namespace ddsm
