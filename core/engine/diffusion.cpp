#include "engine/diffusion.h"

#include "base/error.h"

#include <torch/torch.h>

#include <cmath>

namespace ddsm {

std::vector<double> makeBetas(const DiffusionConfig& c)
{
    std::vector<double> betas(c.T);
    if (c.betaSchedule == "linear") {
        for (int t = 0; t < c.T; ++t)
            betas[t] = c.betaStart + (c.betaEnd - c.betaStart) * t / double(c.T - 1);
    } else if (c.betaSchedule == "cosine") {
        const double s = 0.008;
        auto alphaBar = [&](double u) { return std::pow(std::cos((u + s) / (1 + s) * M_PI / 2), 2); };
        for (int t = 0; t < c.T; ++t)
            betas[t] = std::min(1.0 - alphaBar((t + 1.0) / c.T) / alphaBar(double(t) / c.T), 0.999);
    } else {
        throw Error("unknown beta schedule \"" + c.betaSchedule + "\"");
    }
    return betas;
}

GaussianDiffusion::GaussianDiffusion(const DiffusionConfig& config) : betas_(makeBetas(config))
{
    alphasCumprod_.resize(betas_.size());
    double product = 1.0;
    for (size_t t = 0; t < betas_.size(); ++t) {
        product *= 1.0 - betas_[t];
        alphasCumprod_[t] = product;
    }
}

at::Tensor GaussianDiffusion::qSample(const at::Tensor& x0, const at::Tensor& t, const at::Tensor& noise) const
{
    auto abar = torch::tensor(alphasCumprod_, torch::kDouble).index_select(0, t.to(torch::kCPU, torch::kLong));
    auto shape = std::vector<int64_t>(x0.dim(), 1);
    shape[0] = x0.size(0);
    abar = abar.view(shape).to(x0.device(), x0.scalar_type());
    return torch::sqrt(abar) * x0 + torch::sqrt(1.0 - abar) * noise;
}

at::Tensor GaussianDiffusion::predictX0(const at::Tensor& xt, int t, const at::Tensor& eps) const
{
    const double abar = alphaBar(t);
    return (xt - std::sqrt(1.0 - abar) * eps) / std::sqrt(abar);
}

GaussianDiffusion::Posterior GaussianDiffusion::posterior(int t, int prev) const
{
    const double abarT = alphaBar(t), abarPrev = alphaBar(prev);
    // The jump t -> prev acts as one step with beta = 1 - abar_t / abar_prev.
    const double beta = 1.0 - abarT / abarPrev;
    Posterior p;
    p.beta = beta;
    p.coefX0 = beta * std::sqrt(abarPrev) / (1.0 - abarT);
    p.coefXt = (1.0 - abarPrev) * std::sqrt(1.0 - beta) / (1.0 - abarT);
    p.variance = beta * (1.0 - abarPrev) / (1.0 - abarT);
    return p;
}

}  // namespace ddsm
