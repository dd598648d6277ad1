#include "engine/slimmable_unet.h"

#include "base/error.h"
#include "engine/attention_core.h"
#include "engine/batch_split.h"
#include "engine/inference_layout.h"
#include "engine/slicing_rules.h"

#include <torch/torch.h>

#include <cmath>

namespace ddsm {

namespace {

// Swish = SiLU; the fused kernel saves a pass and a temporary per call.
torch::Tensor swish(const torch::Tensor& x) { return torch::silu(x); }

// Inference reuses the buffers of results nothing else holds: fewer fresh
// allocations (each a round of page faults for activation-sized tensors) and
// less memory traffic. Training keeps out-of-place ops for autograd.
bool reuseBuffers() { return !torch::GradMode::is_enabled(); }

// fresh + other, where `fresh` is a layer's output that only the caller holds.
torch::Tensor addToFresh(torch::Tensor fresh, const torch::Tensor& other)
{
    return reuseBuffers() ? fresh.add_(other) : fresh + other;
}

// Registers a chain of empty holder modules so parameter paths read like the
// paper's nn.Sequential names ("block1.2.weight").
std::shared_ptr<torch::nn::Module> holder(torch::nn::Module& parent, const std::string& name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

int64_t sliced(const NetConfig& c, int64_t full, double width) { return slicedChannels(int(full), width, c.divisor); }

}  // namespace

torch::Tensor sinusoidalTimeTable(int64_t T, int64_t dim)
{
    auto freq = torch::exp(-(torch::arange(0, dim, 2, torch::kFloat) / double(dim) * std::log(10000.0)));
    auto pos = torch::arange(T, torch::kFloat);
    auto angles = pos.unsqueeze(1) * freq.unsqueeze(0);
    return torch::stack({torch::sin(angles), torch::cos(angles)}, -1).view({T, dim});
}

AttentionBlock::AttentionBlock(const NetConfig& c, int64_t ch)
{
    norm_ = register_module("group_norm", std::make_shared<SlimGroupNorm>(c.normGroups, ch));
    q_ = register_module("proj_q", std::make_shared<SlimConv2d>(ch, ch, 1, 1, 0));
    k_ = register_module("proj_k", std::make_shared<SlimConv2d>(ch, ch, 1, 1, 0));
    v_ = register_module("proj_v", std::make_shared<SlimConv2d>(ch, ch, 1, 1, 0));
    proj_ = register_module("proj", std::make_shared<SlimConv2d>(ch, ch, 1, 1, 0));
}

torch::Tensor AttentionBlock::forward(const torch::Tensor& x, const SliceContext& ctx, const std::string& name)
{
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    auto h = norm_->forward(x);
    auto q = q_->forward(h, C, ctx, name + ".proj_q");
    auto k = k_->forward(h, C, ctx, name + ".proj_k");
    auto v = v_->forward(h, C, ctx, name + ".proj_v");
    const double scale = std::pow(double(C), -0.5);  // by the sliced channel count, as the paper does
    torch::Tensor out;
    if (!q.is_contiguous() && q.is_contiguous(at::MemoryFormat::ChannelsLast)) {
        // Channels-last memory is [B, HW, C]: pixel-major views without a copy.
        const auto pixels = [&](const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).reshape({B, H * W, C}); };
        out = attentionCorePixelMajor(pixels(q), pixels(k), pixels(v), scale).view({B, H, W, C}).permute({0, 3, 1, 2});
    } else {
        const auto channels = [&](const torch::Tensor& t) { return t.reshape({B, C, H * W}); };
        out = attentionCore(channels(q), channels(k), channels(v), scale).view({B, C, H, W});
    }
    if (ctx.log)
        ctx.log->push_back({name, "attention-matmul", 2 * H * W * H * W * C, {}, {}});
    return addToFresh(proj_->forward(out, C, ctx, name + ".proj"), x);
}

ResBlock::ResBlock(const NetConfig& c, int64_t in, int64_t out, bool attention)
    : config_(c), outChannels_(out), dropout_(c.dropout)
{
    auto block1 = holder(*this, "block1");
    norm1_ = block1->register_module("0", std::make_shared<SlimGroupNorm>(c.normGroups, in));
    conv1_ = block1->register_module("2", std::make_shared<SlimConv2d>(in, out, 3, 1, 1));
    auto temb = holder(*this, "temb_proj");
    tembProj_ = temb->register_module("1", std::make_shared<SlimLinear>(c.timeEmbeddingDim(), out));
    auto block2 = holder(*this, "block2");
    norm2_ = block2->register_module("0", std::make_shared<SlimGroupNorm>(c.normGroups, out));
    conv2_ = block2->register_module("3", std::make_shared<SlimConv2d>(out, out, 3, 1, 1));
    if (in != out)
        shortcut_ = register_module("shortcut", std::make_shared<SlimConv2d>(in, out, 1, 1, 0));
    if (attention)
        attention_ = register_module("attn", std::make_shared<AttentionBlock>(c, out));
}

torch::Tensor ResBlock::forward(const torch::Tensor& x, const torch::Tensor& temb, const SliceContext& ctx,
                                const std::string& name)
{
    const int64_t out = sliced(config_, outChannels_, ctx.width);
    auto h = conv1_->forward(norm1_->forwardSiLU(x), out, ctx, name + ".block1.2");
    // The time projection emits exactly the conv's channel count (see
    // slicing_rules.h); it is added per channel inside the fused norm.
    h = norm2_->forwardSiLU(h, tembProj_->forward(swish(temb), out, ctx, name + ".temb_proj.1"));
    h = torch::dropout(h, dropout_, is_training());
    h = conv2_->forward(h, out, ctx, name + ".block2.3");
    h = addToFresh(h, shortcut_ ? shortcut_->forward(x, out, ctx, name + ".shortcut") : x);
    return attention_ ? attention_->forward(h, ctx, name + ".attn") : h;
}

Resample::Resample(int64_t channels, bool up) : up_(up)
{
    conv_ = register_module("main", std::make_shared<SlimConv2d>(channels, channels, 3, up ? 1 : 2, 1));
}

torch::Tensor Resample::forward(const torch::Tensor& x, int64_t out, const SliceContext& ctx, const std::string& name)
{
    if (!up_)
        return conv_->forward(x, out, ctx, name + ".main");
    auto upsampled = torch::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
    return conv_->forward(upsampled, out, ctx, name + ".main");
}

SlimmableUNet::SlimmableUNet(NetConfig config) : config_(std::move(config))
{
    config_.validate();
    const auto& c = config_;
    const int64_t ch = c.baseChannels, tdim = c.timeEmbeddingDim();
    timeTable_ = sinusoidalTimeTable(c.diffusion.T, ch);

    auto time = holder(*this, "time_embedding");
    auto mlp = holder(*time, "timembedding");
    time1_ = mlp->register_module("1", std::make_shared<SlimLinear>(ch, tdim));
    time2_ = mlp->register_module("3", std::make_shared<SlimLinear>(tdim, tdim));
    head_ = register_module("head", std::make_shared<SlimConv2d>(c.channels, ch, 3, 1, 1));

    auto isAttention = [&](size_t level) {
        return std::find(c.attentionLevels.begin(), c.attentionLevels.end(), int(level)) != c.attentionLevels.end();
    };
    auto downHolder = holder(*this, "downblocks");
    std::vector<int64_t> skipChannels{ch};
    int64_t now = ch;
    for (size_t level = 0; level < c.channelMult.size(); ++level) {
        const int64_t out = ch * c.channelMult[level];
        for (int i = 0; i < c.numResBlocks; ++i) {
            auto block = std::make_shared<ResBlock>(c, now, out, isAttention(level));
            down_.push_back({downHolder->register_module(std::to_string(down_.size()), block), nullptr, out});
            now = out;
            skipChannels.push_back(now);
        }
        if (level + 1 < c.channelMult.size()) {
            auto down = std::make_shared<Resample>(now, false);
            down_.push_back({nullptr, downHolder->register_module(std::to_string(down_.size()), down), now});
            skipChannels.push_back(now);
        }
    }
    auto midHolder = holder(*this, "middleblocks");
    middle_.push_back({midHolder->register_module("0", std::make_shared<ResBlock>(c, now, now, true)), nullptr, now});
    middle_.push_back({midHolder->register_module("1", std::make_shared<ResBlock>(c, now, now, false)), nullptr, now});

    auto upHolder = holder(*this, "upblocks");
    for (size_t level = c.channelMult.size(); level-- > 0;) {
        const int64_t out = ch * c.channelMult[level];
        for (int i = 0; i <= c.numResBlocks; ++i) {
            const int64_t in = skipChannels.back() + now;
            skipChannels.pop_back();
            auto block = std::make_shared<ResBlock>(c, in, out, isAttention(level));
            up_.push_back({upHolder->register_module(std::to_string(up_.size()), block), nullptr, out});
            now = out;
        }
        if (level != 0) {
            auto upsample = std::make_shared<Resample>(now, true);
            up_.push_back({nullptr, upHolder->register_module(std::to_string(up_.size()), upsample), now});
        }
    }
    auto tail = holder(*this, "tail");
    tailNorm_ = tail->register_module("0", std::make_shared<SlimGroupNorm>(c.normGroups, now));
    tailConv_ = tail->register_module("2", std::make_shared<SlimConv2d>(now, c.channels, 3, 1, 1));
    initialize(0);
}

void SlimmableUNet::initialize(uint64_t seed)
{
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(seed);
    for (const auto& item : named_parameters()) {
        const std::string& name = item.key();
        torch::Tensor p = item.value();
        if (p.dim() < 2) {
            p.zero_();  // every bias starts at zero; GroupNorm scales are set to one below
            continue;
        }
        // Xavier uniform; the last layer of each residual branch starts near
        // zero so every block begins as the identity (DDPM's initialisation).
        const int64_t receptive = p.dim() > 2 ? p[0][0].numel() : 1;
        const double fanIn = p.size(1) * receptive, fanOut = p.size(0) * receptive;
        const bool nearZero = name.find("block2.3") != std::string::npos || name.find("attn.proj.") != std::string::npos ||
                              name.find("tail.2") != std::string::npos;
        const double gain = nearZero ? 1e-5 : 1.0;
        const double bound = gain * std::sqrt(6.0 / (fanIn + fanOut));
        p.uniform_(-bound, bound, generator);
    }
    for (const auto& module : modules(false))
        if (auto norm = std::dynamic_pointer_cast<SlimGroupNorm>(module))
            norm->weight.fill_(1.0);
}

torch::Tensor SlimmableUNet::forward(const torch::Tensor& x, const torch::Tensor& t, double width, OpLog* log)
{
    const auto& c = config_;
    if (x.dim() != 4 || x.size(1) != c.channels || x.size(2) != c.imageSize || x.size(3) != c.imageSize)
        throw Error("network input must be [B, " + std::to_string(c.channels) + ", " + std::to_string(c.imageSize) +
                    ", " + std::to_string(c.imageSize) + "]");
    if (!(width > 0.0 && width <= 1.0))
        throw Error("width must be in (0, 1], got " + std::to_string(width));
    SliceContext ctx;
    ctx.width = width;
    ctx.log = log;
    for (size_t i = 0; i < c.widths.size(); ++i)
        if (std::abs(c.widths[i] - width) < 1e-9)
            ctx.widthIndex = int(i);

    if (timeTable_.device() != x.device())
        timeTable_ = timeTable_.to(x.device());
    if (log)  // one log for the whole batch, in order
        return run(x, t, ctx);
    ctx.channelsLast = runsChannelsLast(x);
    const auto share = [&](const torch::Tensor& xs, const torch::Tensor& ts) { return run(xs, ts, ctx); };
    return forwardSplitOverBatch(x, t, share);
}

torch::Tensor SlimmableUNet::run(const torch::Tensor& x, const torch::Tensor& t, const SliceContext& ctx)
{
    const auto& c = config_;
    const double width = ctx.width;
    const int64_t tdim = slicedChannels(c.timeEmbeddingDim(), width, c.linearDivisor);
    auto temb = timeTable_.index_select(0, t.to(x.device(), torch::kLong));
    temb = time1_->forward(temb, tdim, ctx, "time_embedding.timembedding.1");
    temb = time2_->forward(swish(temb), tdim, ctx, "time_embedding.timembedding.3");

    const auto input = ctx.channelsLast ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
    auto h = head_->forward(input, sliced(c, c.baseChannels, width), ctx, "head");
    // A one-channel image is NCHW and channels-last at once, and convolutions
    // keep NCHW for it: its first activation is converted instead.
    if (ctx.channelsLast)
        h = h.contiguous(at::MemoryFormat::ChannelsLast);
    std::vector<torch::Tensor> skips{h};
    for (size_t i = 0; i < down_.size(); ++i) {
        const auto& b = down_[i];
        const std::string name = "downblocks." + std::to_string(i);
        h = b.res ? b.res->forward(h, temb, ctx, name) : b.resample->forward(h, sliced(c, b.channels, width), ctx, name);
        skips.push_back(h);
    }
    for (size_t i = 0; i < middle_.size(); ++i)
        h = middle_[i].res->forward(h, temb, ctx, "middleblocks." + std::to_string(i));
    for (size_t i = 0; i < up_.size(); ++i) {
        const auto& b = up_[i];
        const std::string name = "upblocks." + std::to_string(i);
        if (b.res) {
            // The decoder sees [h, skip] as one input whose weight is sliced as one prefix.
            h = b.res->forward(torch::cat({h, skips.back()}, 1), temb, ctx, name);
            skips.pop_back();
        } else {
            h = b.resample->forward(h, sliced(c, b.channels, width), ctx, name);
        }
    }
    // The output convolution is never slimmed: it always emits the image channels.
    return tailConv_->forward(tailNorm_->forwardSiLU(h), c.channels, ctx, "tail.2").contiguous();
}

}  // namespace ddsm
