#pragma once
// Gaussian diffusion maths (DDPM, Ho et al. 2020; DDIM, Song et al. 2021).
// Coefficients are kept in double precision and applied to float tensors.
// Timesteps index the training axis: t = 0 is the clean end, t = T-1 the noise.
#include "engine/net_config.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace ddsm {

class GaussianDiffusion {
public:
    explicit GaussianDiffusion(const DiffusionConfig& config);

    int T() const { return int(betas_.size()); }
    const std::vector<double>& betas() const { return betas_; }
    const std::vector<double>& alphasCumprod() const { return alphasCumprod_; }
    // alpha_bar at t; t = -1 means "before the first step" (alpha_bar = 1).
    double alphaBar(int t) const { return t < 0 ? 1.0 : alphasCumprod_.at(t); }

    // x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, t an int64 tensor [B].
    at::Tensor qSample(const at::Tensor& x0, const at::Tensor& t, const at::Tensor& noise) const;
    // x0 implied by an epsilon prediction at timestep t.
    at::Tensor predictX0(const at::Tensor& xt, int t, const at::Tensor& eps) const;

    // Posterior q(x_prev | x_t, x0) for a jump from t to prev (< t, -1 = data):
    // mean = coefX0 * x0 + coefXt * x_t, variance as given.
    struct Posterior {
        double coefX0, coefXt, variance, beta;
    };
    Posterior posterior(int t, int prev) const;

private:
    std::vector<double> betas_, alphasCumprod_;
};

// beta_t for the "linear" (DDPM) or "cosine" (Nichol & Dhariwal) schedule.
std::vector<double> makeBetas(const DiffusionConfig& config);

}  // namespace ddsm
