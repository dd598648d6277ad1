#include "engine/fused_group_norm.h"

#include "engine/vector_math.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ddsm {

namespace {

std::atomic<bool> fusedEnabled{true};

// out = (x + centre) * scale + shift, through SiLU if `silu`, elementwise.
inline void affine(const float* x, float* out, int64_t n, float centre, float scale, float shift, bool silu)
{
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        Floats v;
        std::memcpy(&v, x + i, sizeof v);
        v = (v + centre) * scale + shift;
        if (silu)
            v = v / (1.0f + vectorExp(-v));
        std::memcpy(out + i, &v, sizeof v);
    }
    for (; i < n; ++i) {
        const float v = (x[i] + centre) * scale + shift;
        out[i] = silu ? v / (1.0f + std::exp(-v)) : v;
    }
}

struct Plan {
    const float* x;
    float* y;
    const float* gamma;
    const float* beta;
    const float* offset;  // [N, C] or null
    int64_t C, groups, hw;
    double eps;
    bool silu;
};

// One (image, group) slab of channels: statistics of x + offset, then the
// normalised, scaled and shifted value (through SiLU if asked).
DDSM_VECTOR_CLONES void normalizeSlab(const Plan& p, int64_t n, int64_t g)
{
    const int64_t cg = p.C / p.groups, hw = p.hw;
    const int64_t first = n * p.C + g * cg;
    double sum = 0, squares = 0;
    for (int64_t c = 0; c < cg; ++c) {
        const float* row = p.x + (first + c) * hw;
        float s = 0, s2 = 0;
#pragma omp simd reduction(+ : s, s2)
        for (int64_t i = 0; i < hw; ++i) {
            s += row[i];
            s2 += row[i] * row[i];
        }
        // Sums of x + a from the sums of x.
        const double a = p.offset ? p.offset[first + c] : 0.0;
        sum += double(s) + double(hw) * a;
        squares += double(s2) + 2.0 * a * double(s) + double(hw) * a * a;
    }
    const double count = double(cg * hw);
    const double mean = sum / count;
    const double variance = std::max(squares / count - mean * mean, 0.0);
    const double rstd = 1.0 / std::sqrt(variance + p.eps);
    for (int64_t c = 0; c < cg; ++c) {
        const int64_t channel = g * cg + c;
        const double a = p.offset ? p.offset[first + c] : 0.0;
        // Centre before scaling: with a tiny variance the scale is large, and
        // x * scale - mean * scale would lose what x - mean keeps.
        const float centre = float(a - mean);
        const float scale = float(rstd * p.gamma[channel]);
        const float shift = p.beta[channel];
        affine(p.x + (first + c) * hw, p.y + (first + c) * hw, hw, centre, scale, shift, p.silu);
    }
}

bool fusable(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight, const torch::Tensor& bias,
             const torch::Tensor& offset)
{
    const auto floatCpu = [](const torch::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat; };
    if (!fusedEnabled || c10::GradMode::is_enabled() || x.dim() != 4 || !floatCpu(x) || !x.is_contiguous() || !floatCpu(weight) ||
        !floatCpu(bias) || weight.dim() != 1 || bias.dim() != 1 || weight.size(0) != x.size(1) ||
        bias.size(0) != x.size(1) || groups < 1 || x.size(1) % groups != 0)
        return false;
    return !offset.defined() ||
           (floatCpu(offset) && offset.dim() == 2 && offset.size(0) == x.size(0) && offset.size(1) == x.size(1));
}

}  // namespace

torch::Tensor groupNormSiLUReference(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                                     const torch::Tensor& bias, double eps, const torch::Tensor& offset)
{
    const auto input = offset.defined() ? x + offset.unsqueeze(-1).unsqueeze(-1) : x;
    return at::silu(at::group_norm(input, groups, weight, bias, eps));
}

namespace {

torch::Tensor runFused(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight, const torch::Tensor& bias,
                       double eps, const torch::Tensor& offset, bool silu)
{
    RECORD_FUNCTION(silu ? "ddsm::group_norm_silu" : "ddsm::group_norm", std::vector<c10::IValue>());  // named in profiles
    const auto gamma = weight.contiguous(), beta = bias.contiguous();
    const auto shift = offset.defined() ? offset.contiguous() : offset;
    auto y = at::empty_like(x);
    const Plan plan{x.data_ptr<float>(), y.data_ptr<float>(), gamma.data_ptr<float>(), beta.data_ptr<float>(),
                    shift.defined() ? shift.data_ptr<float>() : nullptr, x.size(1), groups, x.size(2) * x.size(3),
                    eps, silu};
    const int64_t slabs = x.size(0) * groups;
    at::parallel_for(0, slabs, 1, [&](int64_t begin, int64_t end) {
        for (int64_t s = begin; s < end; ++s)
            normalizeSlab(plan, s / groups, s % groups);
    });
    return y;
}

}  // namespace

torch::Tensor groupNormSiLU(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, const torch::Tensor& offset)
{
    if (!fusable(x, groups, weight, bias, offset))
        return groupNormSiLUReference(x, groups, weight, bias, eps, offset);
    return runFused(x, groups, weight, bias, eps, offset, true);
}

torch::Tensor groupNormFused(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                             const torch::Tensor& bias, double eps)
{
    if (!fusable(x, groups, weight, bias, {}))
        return at::group_norm(x, groups, weight, bias, eps);
    return runFused(x, groups, weight, bias, eps, {}, false);
}

void setFusedGroupNormEnabled(bool enabled) { fusedEnabled = enabled; }

}  // namespace ddsm
