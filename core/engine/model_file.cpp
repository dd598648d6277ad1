#include "engine/model_file.h"

#include "base/error.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <set>

namespace ddsm {

std::string shapeText(c10::IntArrayRef shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

void loadParameters(SlimmableUNet& net, const std::map<std::string, at::Tensor>& tensors, const std::string& where,
                    const std::set<std::string>& ignored)
{
    std::set<std::string> expected = ignored;
    // Check every tensor before touching the network, so nothing is half loaded.
    for (const auto& p : net.named_parameters()) {
        expected.insert(p.key());
        const auto it = tensors.find(p.key());
        if (it == tensors.end())
            throw Error(where + ": tensor \"" + p.key() + "\" is missing (the architecture expects " +
                        shapeText(p.value().sizes()) + ")");
        if (it->second.sizes() != p.value().sizes())
            throw Error(where + ": tensor \"" + p.key() + "\" has shape " + shapeText(it->second.sizes()) +
                        ", the architecture expects " + shapeText(p.value().sizes()));
        if (!it->second.is_floating_point())
            throw Error(where + ": tensor \"" + p.key() + "\" is not floating point");
    }
    for (const auto& [name, tensor] : tensors)
        if (!expected.count(name))
            throw Error(where + ": unexpected tensor \"" + name + "\" (not part of the architecture)");
    torch::NoGradGuard noGrad;
    for (auto& p : net.named_parameters())
        p.value().copy_(tensors.at(p.key()).to(torch::kFloat));
}

void saveModel(const std::string& path, SlimmableUNet& net, const std::string& provenanceJson)
{
    nlohmann::json provenance;
    try {
        provenance = nlohmann::json::parse(provenanceJson.empty() ? "{}" : provenanceJson);
    } catch (const nlohmann::json::exception&) {
        throw Error("model provenance must be a JSON object");
    }
    NamedTensors tensors;
    for (const auto& p : net.named_parameters())
        tensors.emplace_back(p.key(), p.value().detach().to(torch::kCPU, torch::kFloat));
    const std::map<std::string, std::string> metadata{
        {"format", kModelFormat},
        {"format_version", std::to_string(kModelFormatVersion)},
        {"architecture", toJson(net.config()).dump()},
        {"provenance", provenance.dump()},
    };
    saveSafetensors(path, tensors, metadata);
}

LoadedModel loadModel(const std::string& path)
{
    SafetensorsFile file = loadSafetensors(path);
    ModelMetadata metadata = readModelMetadata(file.metadata, path);
    LoadedModel model;
    model.path = path;
    model.config = std::move(metadata.config);
    model.provenanceJson = std::move(metadata.provenanceJson);

    auto net = std::make_shared<SlimmableUNet>(model.config);
    loadParameters(*net, std::map<std::string, at::Tensor>(file.tensors.begin(), file.tensors.end()), path);
    net->eval();
    model.net = net;
    return model;
}

std::shared_ptr<SlimmableDenoiser> openSlimmableDenoiser(const std::string& path, c10::Device device)
{
    LoadedModel model = loadModel(path);
    std::string name = path.substr(path.find_last_of('/') + 1);
    return std::make_shared<SlimmableDenoiser>(model.net, name, device);
}

}  // namespace ddsm
