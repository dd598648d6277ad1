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

// Each row of logits [rows, n] becomes softmax(scale * row), in place. A
// row's last partial vector is padded (with the row's maximum, its share of
// the sum then taken out) rather than done element by element: rows of 49
// (7 x 7 pixels) are common. No lambdas in here: they would not be compiled
// for the clone's instruction set.
DDSM_VECTOR_CLONES void softmaxRows(float* logits, int64_t rows, int64_t n, float scale)
{
    const int64_t whole = n / kLanes * kLanes, rest = n - whole;
    for (int64_t r = 0; r < rows; ++r) {
        float* row = logits + r * n;
        Floats tops;
        std::memcpy(&tops, row, sizeof tops);  // n >= kLanes is checked by the caller
        for (int64_t i = kLanes; i < whole; i += kLanes) {
            Floats v;
            std::memcpy(&v, row + i, sizeof v);
            tops = v > tops ? v : tops;
        }
        float top = tops[0];
        for (int lane = 1; lane < kLanes; ++lane)
            top = std::max(top, tops[lane]);
        for (int64_t i = whole; i < n; ++i)
            top = std::max(top, row[i]);
        Floats sums{};
        for (int64_t i = 0; i < whole; i += kLanes) {
            Floats v;
            std::memcpy(&v, row + i, sizeof v);
            v = vectorExp((v - top) * scale);
            sums += v;
            std::memcpy(row + i, &v, sizeof v);
        }
        float padding = 0;
        if (rest) {
            Floats v = Floats{} + top;  // padded lanes give exp(0) = 1 each
            for (int64_t lane = 0; lane < rest; ++lane)
                v[lane] = row[whole + lane];
            v = vectorExp((v - top) * scale);
            sums += v;
            for (int64_t lane = 0; lane < rest; ++lane)
                row[whole + lane] = v[lane];
            padding = float(kLanes - rest);
        }
        float sum = -padding;
        for (int lane = 0; lane < kLanes; ++lane)
            sum += sums[lane];
        const float inverse = 1.0f / sum;
        for (int64_t i = 0; i < n; ++i)
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
    // Groups of images need an image per thread to keep every core busy; the
    // softmax wants rows of at least one vector.
    return pixels(q, layout) >= kLanes && (at::in_parallel_region() || q.size(0) >= at::get_num_threads());
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
    // Images go in groups whose N x N weights fit in a core's cache together:
    // two images at 16 x 16 pixels, a whole share at 7 x 7 (where per-image
    // calls would cost more than the products).
    constexpr int64_t kWeightsPerGroup = 128 * 1024;  // floats: 512 KB
    const int64_t group = std::max<int64_t>(1, kWeightsPerGroup / (N * N));
    auto out = at::empty_like(q);
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
        auto buffer = at::empty({std::min(group, end - begin), N, N}, q.options());
        for (int64_t b = begin; b < end; b += group) {
            const int64_t e = std::min(end, b + group);
            auto weights = buffer.slice(0, 0, e - b);
            auto images = out.slice(0, b, e);
            const auto qs = q.slice(0, b, e), ks = k.slice(0, b, e), vs = v.slice(0, b, e);
            if (layout == Layout::PixelMajor)
                at::bmm_out(weights, qs, ks.transpose(1, 2));
            else
                at::bmm_out(weights, qs.transpose(1, 2), ks);
            softmaxRows(weights.data_ptr<float>(), (e - b) * N, N, float(scale));
            if (layout == Layout::PixelMajor)
                at::bmm_out(images, weights, vs);
            else
                at::bmm_out(images, vs, weights.transpose(1, 2));
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
