#include "engine/slimmable_layers.h"

#include "engine/fused_group_norm.h"
#include "engine/narrow_output_conv.h"
#include "engine/slicing_rules.h"

#include <torch/torch.h>

namespace ddsm {

std::pair<torch::Tensor, torch::Tensor> SliceCache::get(const torch::Tensor& weight, const torch::Tensor& bias,
                                                        int64_t out, int64_t in, const SliceContext& ctx)
{
    const bool full = out == weight.size(0) && in == weight.size(1);
    if (full)
        return {weight, bias};
    auto slice = [&] {
        return std::make_pair(weight.slice(0, 0, out).slice(1, 0, in), bias.slice(0, 0, out));
    };
    // Training needs views so gradients reach the full weight.
    if (ctx.widthIndex < 0 || torch::GradMode::is_enabled())
        return slice();
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() <= static_cast<size_t>(ctx.widthIndex))
        entries_.resize(ctx.widthIndex + 1);
    Entry& e = entries_[ctx.widthIndex];
    if (!e.weight.defined() || e.out != out || e.in != in || e.weightVersion != weight._version() ||
        e.biasVersion != bias._version()) {
        auto [w, b] = slice();
        e.weight = w.contiguous();
        e.bias = b.contiguous();
        e.weightVersion = weight._version();
        e.biasVersion = bias._version();
        e.out = out;
        e.in = in;
    }
    return {e.weight, e.bias};
}

SlimConv2d::SlimConv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding)
    : stride_(stride), padding_(padding)
{
    weight = register_parameter("weight", torch::empty({out, in, kernel, kernel}));
    bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor SlimConv2d::forward(const torch::Tensor& x, int64_t outChannels, const SliceContext& ctx,
                                  const std::string& name)
{
    const int64_t in = x.size(1);
    TORCH_CHECK(in <= weight.size(1), name, ": input has ", in, " channels, layer holds ", weight.size(1));
    auto [w, b] = cache_.get(weight, bias, outChannels, in, ctx);
    auto y = convolve(x, w, b, stride_, padding_);
    if (ctx.log)
        ctx.log->push_back({name, "conv", y.size(1) * y.size(2) * y.size(3) * in * w.size(2) * w.size(3),
                            x.sizes().vec(), w.sizes().vec(), stride_, padding_});
    return y;
}

SlimLinear::SlimLinear(int64_t in, int64_t out)
{
    weight = register_parameter("weight", torch::empty({out, in}));
    bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor SlimLinear::forward(const torch::Tensor& x, int64_t outFeatures, const SliceContext& ctx,
                                  const std::string& name)
{
    const int64_t in = x.size(1);
    auto [w, b] = cache_.get(weight, bias, outFeatures, in, ctx);
    auto y = torch::linear(x, w, b);
    if (ctx.log)
        ctx.log->push_back({name, "linear", in * outFeatures, {}, {}});
    return y;
}

SlimGroupNorm::SlimGroupNorm(int64_t groups, int64_t channels) : groups_(groups)
{
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
}

namespace {

// The group count and affine prefix a norm of `c` channels uses.
struct SlicedNorm {
    int64_t groups;
    torch::Tensor weight, bias;
};

SlicedNorm sliceNorm(int64_t groups, const torch::Tensor& weight, const torch::Tensor& bias, int64_t c)
{
    const int64_t g = groupNormGroups(static_cast<int>(groups), static_cast<int>(c));
    if (c == weight.size(0))
        return {g, weight, bias};
    return {g, weight.slice(0, 0, c), bias.slice(0, 0, c)};
}

}  // namespace

torch::Tensor SlimGroupNorm::forward(const torch::Tensor& x)
{
    const auto n = sliceNorm(groups_, weight, bias, x.size(1));
    return groupNormFused(x, n.groups, n.weight, n.bias, 1e-5);
}

torch::Tensor SlimGroupNorm::forwardSiLU(const torch::Tensor& x, const torch::Tensor& offset)
{
    const auto n = sliceNorm(groups_, weight, bias, x.size(1));
    return groupNormSiLU(x, n.groups, n.weight, n.bias, 1e-5, offset);
}

}  // namespace ddsm
