#pragma once
// Layers that run as a prefix slice of their full weight (DDSM's slimmable
// ops). Parameter names follow the paper's PyTorch modules so that its state
// dicts map one to one.
#include "engine/op_log.h"

#include <torch/nn/module.h>

#include <mutex>
#include <string>
#include <vector>

namespace ddsm {

// What every layer needs to know about the current forward pass.
struct SliceContext {
    double width = 1.0;
    int widthIndex = -1;    // index into the model's width list, -1 if not listed (no cache)
    OpLog* log = nullptr;   // when set, each op appends what it computed
    bool channelsLast = false;  // the pass runs channels-last (inference_layout.h)
};

// Inference caches one contiguous copy of each sliced weight per width, so a
// narrow width does not pay a strided copy on every call. The tensor's version
// counter tells when an in-place update (optimizer step, load) made it stale.
// Sub-batches run on several threads at once (batch_split.h), hence the lock.
class SliceCache {
public:
    // Returns weight[:out, :in, ...] (and bias[:out]), cached when allowed.
    std::pair<torch::Tensor, torch::Tensor> get(const torch::Tensor& weight, const torch::Tensor& bias,
                                                int64_t out, int64_t in, const SliceContext& ctx);

private:
    struct Entry {
        torch::Tensor weight, bias;
        int64_t weightVersion = -1, biasVersion = -1;
        int64_t out = -1, in = -1;
    };
    std::vector<Entry> entries_;
    std::mutex mutex_;
};

class SlimConv2d : public torch::nn::Module {
public:
    SlimConv2d(int64_t inChannels, int64_t outChannels, int64_t kernel, int64_t stride, int64_t padding);
    // Uses the first `outChannels` filters over the input's channel count.
    torch::Tensor forward(const torch::Tensor& x, int64_t outChannels, const SliceContext& ctx, const std::string& name);

    torch::Tensor weight, bias;
    int64_t fullOut() const { return weight.size(0); }

private:
    int64_t stride_, padding_;
    SliceCache cache_;
};

class SlimLinear : public torch::nn::Module {
public:
    SlimLinear(int64_t inFeatures, int64_t outFeatures);
    torch::Tensor forward(const torch::Tensor& x, int64_t outFeatures, const SliceContext& ctx, const std::string& name);

    torch::Tensor weight, bias;

private:
    SliceCache cache_;
};

// GroupNorm over a channel prefix: affine parameters sliced, gcd(groups, C) groups.
class SlimGroupNorm : public torch::nn::Module {
public:
    SlimGroupNorm(int64_t groups, int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);
    // silu(group_norm(x + offset)), offset [N, C] or undefined, fused in inference.
    torch::Tensor forwardSiLU(const torch::Tensor& x, const torch::Tensor& offset = {});

    torch::Tensor weight, bias;

private:
    int64_t groups_;
};

}  // namespace ddsm
