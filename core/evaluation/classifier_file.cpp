#include "evaluation/classifier_file.h"

#include "base/error.h"
#include "base/sha256.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <map>

namespace ddsm {

void saveClassifier(const std::string& path, FeatureClassifier& net, const ClassifierInfo& info)
{
    NamedTensors tensors;
    for (const auto& p : net->named_parameters())
        tensors.emplace_back(p.key(), p.value().detach().to(torch::kCPU).contiguous());
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, "%.4f", info.testAccuracy);
    saveSafetensors(path, tensors,
                    {{"format", kClassifierFormat},
                     {"format_version", "1"},
                     {"architecture", toJson(net->config()).dump()},
                     {"feature_name", info.featureName},
                     {"test_accuracy", accuracy},
                     {"training", info.trainingJson.empty() ? "{}" : info.trainingJson}});
}

LoadedClassifier loadClassifier(const std::string& path)
{
    if (!std::filesystem::exists(path))
        throw Error(path + ": feature classifier not found (train one with `ddsm train-classifier`)");
    const SafetensorsFile file = loadSafetensors(path);
    auto field = [&](const std::string& key) {
        const auto it = file.metadata.find(key);
        if (it == file.metadata.end())
            throw Error(path + ": not a feature classifier (metadata has no \"" + key + "\")");
        return it->second;
    };
    if (field("format") != kClassifierFormat)
        throw Error(path + ": format is \"" + field("format") + "\", expected \"" + kClassifierFormat + "\"");
    if (field("format_version") != "1")
        throw Error(path + ": unsupported classifier format version " + field("format_version"));
    nlohmann::json architecture;
    try {
        architecture = nlohmann::json::parse(field("architecture"));
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": architecture metadata is not JSON: " + e.what());
    }
    LoadedClassifier loaded;
    loaded.net = FeatureClassifier(classifierConfigFromJson(architecture, path));
    loaded.info.featureName = field("feature_name");
    try {
        loaded.info.testAccuracy = std::stod(field("test_accuracy"));
    } catch (const std::logic_error&) {
        throw Error(path + ": test_accuracy \"" + field("test_accuracy") + "\" is not a number");
    }
    loaded.info.trainingJson = field("training");

    std::map<std::string, at::Tensor> stored(file.tensors.begin(), file.tensors.end());
    torch::NoGradGuard noGrad;
    for (auto& p : loaded.net->named_parameters()) {
        const auto it = stored.find(p.key());
        if (it == stored.end())
            throw Error(path + ": tensor \"" + p.key() + "\" is missing");
        if (it->second.sizes() != p.value().sizes() || it->second.scalar_type() != torch::kFloat)
            throw Error(path + ": tensor \"" + p.key() + "\" has the wrong shape or type for the architecture");
        p.value().copy_(it->second);
        stored.erase(it);
    }
    if (!stored.empty())
        throw Error(path + ": unexpected tensor \"" + stored.begin()->first + "\"");
    loaded.net->eval();
    loaded.sha256 = sha256OfFile(path);
    loaded.path = path;
    return loaded;
}

}  // namespace ddsm
