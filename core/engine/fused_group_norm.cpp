#include "engine/fused_group_norm.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

// The vector helpers below are inlined; none crosses an ABI boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

// On x86-64 the slab kernel is compiled for AVX-512, AVX2 and the baseline,
// and the loader picks the widest the processor has; elsewhere, once.
#if defined(__x86_64__) && defined(__GNUC__)
#define DDSM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DDSM_VECTOR_CLONES
#endif

namespace ddsm {

namespace {

std::atomic<bool> fusedEnabled{true};

// Eight floats in GCC's vector extension: the default build runs them as
// two SSE halves, the AVX2 / AVX-512 clones below as one register.
typedef float Floats8 __attribute__((vector_size(32)));
typedef int32_t Ints8 __attribute__((vector_size(32)));

// exp(x) to about 2 ulp for x in [-87, 88] (libm's expf is not vectorised):
// 2^k from the exponent bits, e^r on |r| <= ln2 / 2 by its Taylor polynomial
// to r^6.
__attribute__((always_inline)) inline Floats8 exp8(Floats8 x)
{
    const Floats8 lo = Floats8{} - 87.0f, hi = Floats8{} + 88.0f;
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    const float round = 12582912.0f;  // 1.5 x 2^23: adding it rounds to an integer
    const Floats8 k = (x * 1.44269504f + round) - round;
    const Floats8 r = (x - k * 0.693145751953125f) - k * 1.428606765330187e-06f;
    Floats8 p = Floats8{} + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const Ints8 bits = (__builtin_convertvector(k, Ints8) + 127) << 23;
    return p * reinterpret_cast<const Floats8&>(bits);
}

// out = (x + centre) * scale + shift, through SiLU if `silu`, elementwise.
inline void affine(const float* x, float* out, int64_t n, float centre, float scale, float shift, bool silu)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        Floats8 v;
        std::memcpy(&v, x + i, sizeof v);
        v = (v + centre) * scale + shift;
        if (silu)
            v = v / (1.0f + exp8(-v));
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
