#include "family/paper_state_dict.h"

#include "base/error.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <set>

namespace ddsm {

namespace {

std::string shapeText(c10::IntArrayRef shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

}  // namespace

TensorShapes shapesOf(const NamedTensors& tensors)
{
    TensorShapes shapes;
    for (const auto& [name, tensor] : tensors)
        shapes[name] = tensor.sizes().vec();
    return shapes;
}

std::shared_ptr<SlimmableUNet> loadPaperStateDict(const NamedTensors& stateDict, const NetConfig& config,
                                                  const std::string& where)
{
    auto net = std::make_shared<SlimmableUNet>(config);
    std::map<std::string, at::Tensor> given;
    for (const auto& [name, tensor] : stateDict)
        given[name] = tensor;

    const auto table = given.find(kPaperTimeTable);
    if (table == given.end())
        throw Error(where + ": tensor \"" + std::string(kPaperTimeTable) + "\" is missing");
    const auto expectedTable = sinusoidalTimeTable(config.diffusion.T, config.baseChannels);
    if (table->second.sizes() != expectedTable.sizes())
        throw Error(where + ": tensor \"" + std::string(kPaperTimeTable) + "\" has shape " +
                    shapeText(table->second.sizes()) + ", the architecture expects " + shapeText(expectedTable.sizes()));
    const double tableError = (table->second.to(torch::kFloat) - expectedTable).abs().max().item<double>();
    if (!(tableError < 1e-4))
        throw Error(where + ": tensor \"" + std::string(kPaperTimeTable) +
                    "\" is not the sinusoidal table of the DDPM code (max difference " + std::to_string(tableError) +
                    "); this network cannot represent it");

    std::set<std::string> expected{kPaperTimeTable};
    for (const auto& p : net->named_parameters()) {
        expected.insert(p.key());
        const auto it = given.find(p.key());
        if (it == given.end())
            throw Error(where + ": tensor \"" + p.key() + "\" is missing (the architecture expects " +
                        shapeText(p.value().sizes()) + ")");
        if (it->second.sizes() != p.value().sizes())
            throw Error(where + ": tensor \"" + p.key() + "\" has shape " + shapeText(it->second.sizes()) +
                        ", the architecture expects " + shapeText(p.value().sizes()));
        if (!it->second.is_floating_point())
            throw Error(where + ": tensor \"" + p.key() + "\" is not floating point");
    }
    for (const auto& [name, tensor] : stateDict)
        if (!expected.count(name))
            throw Error(where + ": unexpected tensor \"" + name + "\" (not part of the inferred architecture)");

    torch::NoGradGuard noGrad;
    for (auto& p : net->named_parameters())
        p.value().copy_(given.at(p.key()).to(torch::kFloat));
    net->eval();
    return net;
}

}  // namespace ddsm
