#include "training/model_widening.h"

#include "base/error.h"
#include "engine/slicing_rules.h"
#include "engine/slimmable_unet.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace ddsm {

namespace {

constexpr const char* kTimeInput = "time_embedding.timembedding.1.weight";

// Everything but the channel counts must agree, field by field.
void requireSameArchitecture(const NetConfig& trained, const NetConfig& wider)
{
    auto a = toJson(trained), b = toJson(wider);
    for (const char* free : {"base_channels", "widths", "dropout"}) {
        a.erase(free);
        b.erase(free);
    }
    for (const auto& [field, value] : a.items())
        if (!b.contains(field) || b[field] != value)
            throw Error("widening: field \"" + field + "\" differs (" + value.dump() + " in the trained network, " +
                        (b.contains(field) ? b[field].dump() : std::string("absent")) + " in the wider config)");
}

// The wider width whose every channel count is the trained network's full one.
double embeddingWidth(const NetConfig& trained, const NetConfig& wider)
{
    if (wider.baseChannels % trained.baseChannels != 0)
        throw Error("widening: base_channels " + std::to_string(wider.baseChannels) + " is not a multiple of " +
                    std::to_string(trained.baseChannels));
    for (double w : wider.widths) {
        bool equal = slicedChannels(wider.timeEmbeddingDim(), w, wider.linearDivisor) == trained.timeEmbeddingDim();
        for (int mult : wider.channelMult)
            equal = equal && slicedChannels(wider.baseChannels * mult, w, wider.divisor) == trained.baseChannels * mult;
        if (equal)
            return w;
    }
    throw Error("widening: no width of the wider config has the trained network's channel counts (base " +
                std::to_string(trained.baseChannels) + " of " + std::to_string(wider.baseChannels) +
                "): add width " + std::to_string(double(trained.baseChannels) / wider.baseChannels));
}

// Copies `from` into the leading block of `to` and zeroes what carries the new
// input channels into the embedded output channels.
void embedPrefix(const torch::Tensor& from, torch::Tensor& to, const std::string& name)
{
    if (from.dim() != to.dim())
        throw Error("widening: tensor " + name + " has " + std::to_string(from.dim()) + " dimensions, the wider one " +
                    std::to_string(to.dim()));
    auto block = to;
    for (int64_t d = 0; d < from.dim(); ++d) {
        if (from.size(d) > to.size(d))
            throw Error("widening: tensor " + name + " is larger than the wider network's");
        block = block.narrow(d, 0, from.size(d));
    }
    if (from.dim() >= 2)
        to.narrow(0, 0, from.size(0)).narrow(1, from.size(1), to.size(1) - from.size(1)).zero_();
    block.copy_(from);
}

// The time MLP reads a sinusoid table whose frequencies depend on its size:
// frequency k of a table of size d is frequency k * D / d of one of size D, so
// each trained input column moves to the wider table's column of the same
// frequency, and the others are zero for the embedded outputs.
void embedTimeInput(const torch::Tensor& from, torch::Tensor& to)
{
    const int64_t d = from.size(1), D = to.size(1), ratio = D / d;
    auto rows = to.narrow(0, 0, from.size(0));
    rows.zero_();
    for (int64_t column = 0; column < d; ++column) {
        const int64_t k = column / 2, phase = column % 2;  // sin, cos interleaved
        rows.select(1, 2 * k * ratio + phase).copy_(from.select(1, column));
    }
}

}  // namespace

WidenedModel widenModel(SlimmableUNet& trained, const NetConfig& wider, uint64_t seed)
{
    wider.validate();
    const NetConfig& old = trained.config();
    requireSameArchitecture(old, wider);
    WidenedModel result;
    result.embeddedWidth = embeddingWidth(old, wider);
    result.net = std::make_shared<SlimmableUNet>(wider);
    result.net->initialize(seed);

    torch::NoGradGuard noGrad;
    const auto from = trained.named_parameters();
    for (auto& item : result.net->named_parameters()) {
        const torch::Tensor* source = from.find(item.key());
        if (!source)
            throw Error("widening: the trained network has no tensor " + item.key());
        auto target = item.value();
        if (item.key() == kTimeInput)
            embedTimeInput(*source, target);
        else
            embedPrefix(*source, target, item.key());
    }

    // Measured, not assumed: any slicing rule that treats the prefix differently
    // (normalisation groups, attention scale, rounding) shows up here.
    const bool wasTraining = trained.is_training();
    trained.eval();
    result.net->eval();
    auto generator = at::detail::createCPUGenerator(seed + 1);
    const auto x = torch::randn({4, old.channels, old.imageSize, old.imageSize}, generator);
    const auto t = torch::randint(0, old.diffusion.T, {4}, generator, torch::kLong);
    const auto expected = trained.forward(x, t, 1.0);
    const auto got = result.net->forward(x, t, result.embeddedWidth);
    result.maxDifference = (expected - got).abs().max().item<double>();
    trained.train(wasTraining);
    result.net->train();
    if (!(result.maxDifference <= 1e-4))
        throw Error("widening: width " + std::to_string(result.embeddedWidth) +
                    " of the wider network differs from the trained network by " +
                    std::to_string(result.maxDifference));
    return result;
}

}  // namespace ddsm
