#pragma once
// What the sampler, metrics and search need from a network: eps = f(x_t, t, width).
// A slimmable model and a family of separately trained networks both implement it.
#include "engine/net_config.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>
#include <vector>

namespace ddsm {

class Denoiser {
public:
    virtual ~Denoiser() = default;

    // x: [B, C, H, W] float, t: int64 [B] training timesteps. Runs without gradients.
    virtual at::Tensor predictEps(const at::Tensor& x, const at::Tensor& t, double width) = 0;

    // Available widths, descending; the first is the full network.
    virtual std::vector<double> widths() const = 0;
    virtual int imageSize() const = 0;
    virtual int channels() const = 0;
    virtual const DiffusionConfig& diffusion() const = 0;
    // Multiply-accumulates of one forward pass for one image at `width`.
    virtual double macsPerImage(double width) const = 0;
    virtual std::string name() const = 0;
    virtual c10::Device device() const = 0;
};

}  // namespace ddsm
