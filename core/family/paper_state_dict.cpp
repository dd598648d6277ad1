#include "family/paper_state_dict.h"

#include "base/error.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <set>

namespace ddsm {

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

    // The time table is a constant of the architecture, checked above, not a parameter.
    loadParameters(*net, given, where, {kPaperTimeTable});
    net->eval();
    return net;
}

}  // namespace ddsm
