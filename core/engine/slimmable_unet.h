#pragma once
// The DDPM UNet made slimmable (DDSM, arXiv 2310.03337): one set of weights,
// any width in (0, 1] runs the prefix-sliced sub-network. Module and parameter
// names match the paper's SlimmableUNet so its state dicts map one to one.
#include "engine/net_config.h"
#include "engine/slimmable_layers.h"

#include <torch/nn/module.h>

#include <memory>
#include <vector>

namespace ddsm {

class AttentionBlock : public torch::nn::Module {
public:
    AttentionBlock(const NetConfig& config, int64_t channels);
    torch::Tensor forward(const torch::Tensor& x, const SliceContext& ctx, const std::string& name);

private:
    std::shared_ptr<SlimGroupNorm> norm_;
    std::shared_ptr<SlimConv2d> q_, k_, v_, proj_;
};

class ResBlock : public torch::nn::Module {
public:
    ResBlock(const NetConfig& config, int64_t inChannels, int64_t outChannels, bool attention);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb, const SliceContext& ctx,
                          const std::string& name);

private:
    const NetConfig& config_;
    int64_t outChannels_;
    double dropout_;
    std::shared_ptr<SlimGroupNorm> norm1_, norm2_;
    std::shared_ptr<SlimConv2d> conv1_, conv2_, shortcut_;
    std::shared_ptr<SlimLinear> tembProj_;
    std::shared_ptr<AttentionBlock> attention_;
};

// Stride-2 convolution down, or nearest x2 then convolution up.
class Resample : public torch::nn::Module {
public:
    Resample(int64_t channels, bool up);
    torch::Tensor forward(const torch::Tensor& x, int64_t outChannels, const SliceContext& ctx, const std::string& name);

private:
    bool up_;
    std::shared_ptr<SlimConv2d> conv_;
};

class SlimmableUNet : public torch::nn::Module {
public:
    explicit SlimmableUNet(NetConfig config);

    // eps prediction for x [B, C, H, W] at integer timesteps t [B], run at `width`.
    // `log`, when given, receives every conv / linear / attention matmul run.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, double width, OpLog* log = nullptr);

    const NetConfig& config() const { return config_; }
    // Paper initialisation (Xavier uniform, zero biases, near-zero last layers), seeded.
    void initialize(uint64_t seed);

private:
    // The forward pass proper, on a whole batch or one thread's share of it.
    torch::Tensor run(const torch::Tensor& x, const torch::Tensor& t, const SliceContext& ctx);

    struct Block {
        std::shared_ptr<ResBlock> res;       // either a ResBlock...
        std::shared_ptr<Resample> resample;  // ...or a resampling conv
        int64_t channels;                    // full output channels
    };

    NetConfig config_;
    torch::Tensor timeTable_;  // [T, base_channels] sinusoidal embedding, not a parameter
    std::shared_ptr<SlimLinear> time1_, time2_;
    std::shared_ptr<SlimConv2d> head_;
    std::vector<Block> down_, middle_, up_;
    std::shared_ptr<SlimGroupNorm> tailNorm_;
    std::shared_ptr<SlimConv2d> tailConv_;
};

// Sinusoidal table of the DDPM code: interleaved sin/cos, shape [T, dim].
torch::Tensor sinusoidalTimeTable(int64_t T, int64_t dim);

}  // namespace ddsm
