#include "engine/attention_core.h"

#include "engine/vector_math.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

namespace ddsm {

namespace {

std::atomic<bool> fusedEnabled{true};

// Each row of logits [rows, n] becomes softmax(scale * row), in place.
DDSM_VECTOR_CLONES void softmaxRows(float* logits, int64_t rows, int64_t n, float scale)
{
    for (int64_t r = 0; r < rows; ++r) {
        float* row = logits + r * n;
        Floats tops = Floats{} - std::numeric_limits<float>::infinity();
        int64_t i = 0;
        for (; i + kLanes <= n; i += kLanes) {
            Floats v;
            std::memcpy(&v, row + i, sizeof v);
            tops = v > tops ? v : tops;
        }
        float top = -std::numeric_limits<float>::infinity();
        for (int lane = 0; lane < kLanes; ++lane)
            top = std::max(top, tops[lane]);
        for (; i < n; ++i)
            top = std::max(top, row[i]);
        Floats sums{};
        i = 0;
        for (; i + kLanes <= n; i += kLanes) {
            Floats v;
            std::memcpy(&v, row + i, sizeof v);
            v = vectorExp((v - top) * scale);
            sums += v;
            std::memcpy(row + i, &v, sizeof v);
        }
        float sum = 0;
        for (int lane = 0; lane < kLanes; ++lane)
            sum += sums[lane];
        for (; i < n; ++i) {
            row[i] = std::exp((row[i] - top) * scale);
            sum += row[i];
        }
        const float inverse = 1.0f / sum;
        for (i = 0; i < n; ++i)
            row[i] *= inverse;
    }
}

// Channel-major operands are [B, C, N] (NCHW memory), pixel-major ones
// [B, N, C] (channels-last memory).
enum class Layout { ChannelMajor, PixelMajor };

int64_t pixels(const torch::Tensor& q, Layout layout) { return q.size(layout == Layout::ChannelMajor ? 2 : 1); }

bool fusable(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, Layout layout)
{
    const auto floatCpu = [](const torch::Tensor& t) {
        return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.dim() == 3 && t.is_contiguous();
    };
    if (!fusedEnabled || c10::GradMode::is_enabled() || !floatCpu(q) || !floatCpu(k) || !floatCpu(v) ||
        q.sizes() != k.sizes() || q.sizes() != v.sizes())
        return false;
    // Image by image needs an image per thread to keep every core busy, and
    // enough pixels to pay for three calls an image (4 x 4 does not).
    return pixels(q, layout) >= 32 && (at::in_parallel_region() || q.size(0) >= at::get_num_threads());
}

torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                        Layout layout)
{
    // bmm takes the transposed views without copying, so the result keeps the
    // operands' layout: a permuted one would make every later layer of the
    // network run in a layout it is slow in.
    const int64_t B = q.size(0), N = pixels(q, layout);
    auto empty = at::empty({B, N, N}, q.options());
    if (layout == Layout::PixelMajor)
        return at::bmm(at::softmax(at::baddbmm(empty, q, k.transpose(1, 2), 0.0, scale), -1), v);
    return at::bmm(v, at::softmax(at::baddbmm(empty, q.transpose(1, 2), k, 0.0, scale), -1).transpose(1, 2));
}

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                     Layout layout)
{
    if (!fusable(q, k, v, layout))
        return reference(q, k, v, scale, layout);
    RECORD_FUNCTION("ddsm::attention", std::vector<c10::IValue>());  // named in profiles
    const int64_t B = q.size(0), N = pixels(q, layout);
    auto out = at::empty_like(q);
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
        auto weights = at::empty({N, N}, q.options());
        for (int64_t b = begin; b < end; ++b) {
            auto image = out[b];
            if (layout == Layout::PixelMajor) {
                at::mm_out(weights, q[b], k[b].t());
                softmaxRows(weights.data_ptr<float>(), N, N, float(scale));
                at::mm_out(image, weights, v[b]);
            } else {
                at::mm_out(weights, q[b].t(), k[b]);
                softmaxRows(weights.data_ptr<float>(), N, N, float(scale));
                at::mm_out(image, v[b], weights.t());
            }
        }
    });
    return out;
}

}  // namespace

torch::Tensor attentionCoreReference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                     double scale)
{
    return reference(q, k, v, scale, Layout::ChannelMajor);
}

torch::Tensor attentionCore(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale)
{
    return attend(q, k, v, scale, Layout::ChannelMajor);
}

torch::Tensor attentionCorePixelMajorReference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                               double scale)
{
    return reference(q, k, v, scale, Layout::PixelMajor);
}

torch::Tensor attentionCorePixelMajor(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      double scale)
{
    return attend(q, k, v, scale, Layout::PixelMajor);
}

void setFusedAttentionEnabled(bool enabled) { fusedEnabled = enabled; }

}  // namespace ddsm
