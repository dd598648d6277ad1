#include "engine/fused_group_norm.h"

#include "engine/vector_math.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

namespace ddsm {

namespace {

std::atomic<bool> fusedEnabled{true};

// (v + centre) * scale + shift, through SiLU if `silu`: the step both layouts'
// kernels take, a vector at a time or one element. Always inlined, so it is
// compiled for the calling kernel's instruction set.
__attribute__((always_inline)) inline Floats affineStep(Floats v, Floats centre, Floats scale, Floats shift, bool silu)
{
    v = (v + centre) * scale + shift;
    return silu ? v / (1.0f + vectorExp(-v)) : v;
}

__attribute__((always_inline)) inline float affineStep(float v, float centre, float scale, float shift, bool silu)
{
    v = (v + centre) * scale + shift;
    return silu ? v / (1.0f + std::exp(-v)) : v;
}

// out = affineStep(x) elementwise with one centre, scale and shift.
__attribute__((always_inline)) inline void affine(const float* x, float* out, int64_t n, float centre, float scale,
                                                  float shift, bool silu)
{
    const Floats a = Floats{} + centre, m = Floats{} + scale, b = Floats{} + shift;
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        Floats v;
        std::memcpy(&v, x + i, sizeof v);
        v = affineStep(v, a, m, b, silu);
        std::memcpy(out + i, &v, sizeof v);
    }
    for (; i < n; ++i)
        out[i] = affineStep(x[i], centre, scale, shift, silu);
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

// Channels-last layout: one image's pixels are rows of C channels. The
// statistics sum every channel over the pixels (vectorised across channels),
// then combine each group's channels; the normalisation is a per-channel
// affine map, vectorised across the channels of each pixel.
DDSM_VECTOR_CLONES void channelSums(const float* x, int64_t pixels, int64_t C, double* sums, double* squares)
{
    constexpr int64_t kBlock = 256;  // pixels summed in float before a double carry
    std::vector<float> s(C), s2(C);
    for (int64_t start = 0; start < pixels; start += kBlock) {
        std::fill(s.begin(), s.end(), 0.0f);
        std::fill(s2.begin(), s2.end(), 0.0f);
        for (int64_t p = start; p < std::min(pixels, start + kBlock); ++p) {
            const float* row = x + p * C;
#pragma omp simd
            for (int64_t c = 0; c < C; ++c) {
                s[c] += row[c];
                s2[c] += row[c] * row[c];
            }
        }
        for (int64_t c = 0; c < C; ++c) {
            sums[c] += s[c];
            squares[c] += s2[c];
        }
    }
}

// y = (x + centre[c]) * scale[c] + shift[c] over `count` elements of
// interleaved channels, through SiLU if asked. The per-channel values come as
// patterns of period P = lcm(C, kLanes) (plus kLanes of wrap-around), so any
// channel count runs in whole vectors; `phase` is the first element's place
// in the period.
DDSM_VECTOR_CLONES void affineInterleaved(const float* x, float* y, int64_t count, int64_t phase, int64_t period,
                                          const float* centre, const float* scale, const float* shift, bool silu)
{
    int64_t i = 0, at = phase;
    for (; i + kLanes <= count; i += kLanes) {
        Floats v, a, m, b;
        std::memcpy(&v, x + i, sizeof v);
        std::memcpy(&a, centre + at, sizeof a);
        std::memcpy(&m, scale + at, sizeof m);
        std::memcpy(&b, shift + at, sizeof b);
        v = affineStep(v, a, m, b, silu);
        std::memcpy(y + i, &v, sizeof v);
        at += kLanes;
        if (at >= period)
            at -= period;
    }
    for (; i < count; ++i, ++at)
        y[i] = affineStep(x[i], centre[at], scale[at], shift[at], silu);
}

// Per-channel values laid out for affineInterleaved.
struct ChannelPatterns {
    int64_t period = 0;
    std::vector<float> centre, scale, shift;
};

// Image n's per-channel centre (offset - group mean), scale (rstd x gamma)
// and shift (beta), as patterns.
void channelAffine(const Plan& p, int64_t n, ChannelPatterns& out)
{
    const int64_t C = p.C, cg = C / p.groups, hw = p.hw;
    std::vector<double> sums(C, 0.0), squares(C, 0.0);
    channelSums(p.x + n * hw * C, hw, C, sums.data(), squares.data());
    std::vector<float> centre(C), scale(C);
    for (int64_t g = 0; g < p.groups; ++g) {
        double sum = 0, sq = 0;
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
            const double a = p.offset ? p.offset[n * C + c] : 0.0;  // sums of x + a from the sums of x
            sum += sums[c] + double(hw) * a;
            sq += squares[c] + 2.0 * a * sums[c] + double(hw) * a * a;
        }
        const double count = double(cg * hw);
        const double mean = sum / count;
        const double rstd = 1.0 / std::sqrt(std::max(sq / count - mean * mean, 0.0) + p.eps);
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
            centre[c] = float((p.offset ? p.offset[n * C + c] : 0.0) - mean);  // x + offset - mean
            scale[c] = float(rstd * p.gamma[c]);
        }
    }
    out.period = std::lcm(C, int64_t(kLanes));
    const int64_t length = out.period + kLanes;
    out.centre.resize(length);
    out.scale.resize(length);
    out.shift.resize(length);
    for (int64_t i = 0; i < length; ++i) {
        out.centre[i] = centre[i % C];
        out.scale[i] = scale[i % C];
        out.shift[i] = p.beta[i % C];
    }
}

void runFusedChannelsLast(const Plan& plan, int64_t N)
{
    const int64_t C = plan.C, hw = plan.hw;
    // Images over the threads; a batch smaller than the pool also splits each
    // image's normalisation into pixel blocks.
    std::vector<ChannelPatterns> patterns(N);
    at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n)
            channelAffine(plan, n, patterns[n]);
    });
    const int64_t blocks = N >= at::get_num_threads() || at::in_parallel_region() ? 1 : at::get_num_threads();
    const int64_t perBlock = (hw + blocks - 1) / blocks;
    at::parallel_for(0, N * blocks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t job = begin; job < end; ++job) {
            const int64_t n = job / blocks, first = (job % blocks) * perBlock;
            const int64_t count = std::min(hw, first + perBlock) - first;
            const auto& q = patterns[n];
            if (count > 0)
                affineInterleaved(plan.x + (n * hw + first) * C, plan.y + (n * hw + first) * C, count * C,
                                  (first * C) % q.period, q.period, q.centre.data(), q.scale.data(), q.shift.data(),
                                  plan.silu);
        }
    });
}

bool fusable(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight, const torch::Tensor& bias,
             const torch::Tensor& offset)
{
    const auto floatCpu = [](const torch::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat; };
    const bool dense = x.is_contiguous() || x.is_contiguous(at::MemoryFormat::ChannelsLast);
    if (!fusedEnabled || c10::GradMode::is_enabled() || x.dim() != 4 || !floatCpu(x) || !dense || !floatCpu(weight) ||
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
    auto y = at::empty_like(x);  // keeps x's layout
    const Plan plan{x.data_ptr<float>(), y.data_ptr<float>(), gamma.data_ptr<float>(), beta.data_ptr<float>(),
                    shift.defined() ? shift.data_ptr<float>() : nullptr, x.size(1), groups, x.size(2) * x.size(3),
                    eps, silu};
    if (!x.is_contiguous()) {
        runFusedChannelsLast(plan, x.size(0));
        return y;
    }
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
