// Engine benchmark: forward latency and GFLOP/s of the slimmable UNet per width
// and batch size, beside the GFLOP/s of a plain 3x3 convolution of similar
// shape measured in the same run (this machine's practical peak).
//
//   build/release/bench/bench_engine [--quick] [--threads N] [--only small|cifar10]
//
// Ratios are what to read: the machine is shared and absolute times drift,
// so each width's time ratio to full width is the median of the ratios
// within a round (all widths run back to back in every round).
// Each width is also timed with the fused GroupNorm + SiLU and attention
// switched off (the composite torch ops: "unfused ms"), with the batch run in
// one piece instead of one share per thread ("unsplit ms") and in NCHW
// instead of channels-last ("NCHW ms"), in the same rounds, to show what each
// saves; and at the largest batch, the network's own convolutions alone (the
// shapes a real forward pass ran, on fresh tensors back to back, in
// the layout, shares and kernels the network uses): what the convolutions
// need, against which the rest of the forward pass is ours.
#include "base/error.h"
#include "base/threads.h"
#include "engine/attention_core.h"
#include "engine/batch_split.h"
#include "engine/flops.h"
#include "engine/fused_group_norm.h"
#include "engine/inference_layout.h"
#include "engine/narrow_output_conv.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace ddsm;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double timeOnce(const std::function<void()>& f)
{
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Row {
    double width;
    int batch;
    double msPerBatch, gflops;
    double unfusedMsPerBatch;  // the same forward with the composite norm and attention ops
    double unsplitMsPerBatch;  // the same forward with the batch in one piece
    double nchwMsPerBatch;     // the same forward in NCHW instead of channels-last
    double convsMsPerBatch;    // its convolutions alone (largest batch only, else 0)
    double timeRatio;          // to full width: median over rounds of the ratio within a round
};

// The convolutions of a logged forward pass, on fresh tensors of the same
// shapes, the batch split over the threads as the network splits it: one call
// runs them all.
std::function<void()> replayConvolutions(const OpLog& log)
{
    struct Conv {
        std::vector<torch::Tensor> xs;  // one input per share of the batch
        torch::Tensor w, b;
        int64_t stride, padding;
    };
    auto convs = std::make_shared<std::vector<Conv>>();
    int64_t shares = 1;
    for (const auto& op : log)
        if (op.kind == "conv") {
            shares = batchShares(op.inputShape.front(), torch::kCPU);
            const auto format = channelsLastEnabled() ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
            convs->push_back({torch::randn(op.inputShape).contiguous(format).tensor_split(shares),
                              torch::randn(op.weightShape),
                              torch::randn({op.weightShape.front()}), op.stride, op.padding});
        }
    return [convs, shares] {
        runShares(shares, [&](int64_t i) {
            for (const auto& c : *convs)
                convolve(c.xs[i], c.w, c.b, c.stride, c.padding);
        });
    };
}

struct Measurement {
    std::vector<Row> rows;
    // Plain 3x3 convolution, timed in the same rounds in NCHW and
    // channels-last, each on the whole batch with the threads inside the
    // convolution and on one share of it per thread as the network runs;
    // the peak is the fastest of the four.
    std::vector<std::pair<std::string, double>> peaks;  // name, GFLOP/s
    double peakGflops() const
    {
        double best = 0;
        for (const auto& p : peaks)
            best = std::max(best, p.second);
        return best;
    }
};

// Times every width and the reference convolution round-robin, so that load
// from elsewhere on the machine falls on all of them alike; reports medians.
// The reference is a bias-free 3x3 convolution, channels in = out, at the
// network's busiest resolution.
Measurement benchNetwork(const NetConfig& c, const std::vector<int>& batches, int rounds, int64_t peakChannels,
                         int64_t peakSize)
{
    if (c.widths.empty() || c.widths.front() != 1.0)
        throw Error(describe(c) + ": the first width must be the full network, ratios are taken to it");
    SlimmableUNet net(c);
    net.eval();
    torch::NoGradGuard noGrad;
    Measurement m;
    const int peakBatch = batches.back();
    const auto pw = torch::randn({peakChannels, peakChannels, 3, 3});
    const int64_t shares = batchShares(peakBatch, torch::kCPU);
    struct Peak {
        std::string name;
        std::vector<torch::Tensor> inputs;  // the whole batch, or one share a thread
        std::vector<double> times;
    };
    std::vector<Peak> peaks;
    for (const auto format : {at::MemoryFormat::Contiguous, at::MemoryFormat::ChannelsLast}) {
        const auto px = torch::randn({peakBatch, peakChannels, peakSize, peakSize}).contiguous(format);
        const std::string layout = format == at::MemoryFormat::Contiguous ? "NCHW" : "channels-last";
        peaks.push_back({layout + " whole batch", {px}, {}});
        peaks.push_back({layout + " one share a thread", px.tensor_split(shares), {}});
    }
    const auto runPeak = [&](const Peak& p) {
        runShares(int64_t(p.inputs.size()), [&](int64_t i) { torch::conv2d(p.inputs[i], pw, {}, 1, 1); });
    };
    for (const auto& p : peaks)
        runPeak(p);
    for (int batch : batches) {
        auto x = torch::randn({batch, c.channels, c.imageSize, c.imageSize});
        auto t = torch::full({batch}, 500, torch::kLong);
        const size_t n = c.widths.size();
        std::vector<std::vector<double>> times(n), unfused(n), unsplit(n), nchw(n), convs(n);
        std::vector<std::function<void()>> convsAlone;
        for (double w : c.widths) {
            OpLog log;
            net.forward(x, t, w, &log);  // warm-up, fills the slice cache
            convsAlone.push_back(replayConvolutions(log));
        }
        for (int r = 0; r < rounds; ++r) {
            for (size_t i = 0; i < c.widths.size(); ++i) {
                times[i].push_back(timeOnce([&] { net.forward(x, t, c.widths[i]); }));
                setFusedGroupNormEnabled(false);
                setFusedAttentionEnabled(false);
                unfused[i].push_back(timeOnce([&] { net.forward(x, t, c.widths[i]); }));
                setFusedGroupNormEnabled(true);
                setFusedAttentionEnabled(true);
                setBatchSplitEnabled(false);
                unsplit[i].push_back(timeOnce([&] { net.forward(x, t, c.widths[i]); }));
                setBatchSplitEnabled(true);
                setChannelsLastEnabled(false);
                nchw[i].push_back(timeOnce([&] { net.forward(x, t, c.widths[i]); }));
                setChannelsLastEnabled(true);
                if (batch == peakBatch)
                    convs[i].push_back(timeOnce(convsAlone[i]));
            }
            // Three peak timings a round: one slow call must not move the reference.
            for (int k = 0; batch == peakBatch && k < 3; ++k)
                for (auto& p : peaks)
                    p.times.push_back(timeOnce([&] { runPeak(p); }));
        }
        for (size_t i = 0; i < c.widths.size(); ++i) {
            const double s = median(times[i]);
            // Within a round the widths run back to back, so the machine's
            // drift between rounds (+-10% here) cancels in their ratio.
            std::vector<double> ratios;
            for (int r = 0; r < rounds; ++r)
                ratios.push_back(times[i][r] / times[0][r]);
            m.rows.push_back({c.widths[i], batch, 1e3 * s, 2.0 * double(totalMacs(c, c.widths[i])) * batch / s * 1e-9,
                              1e3 * median(unfused[i]), 1e3 * median(unsplit[i]), 1e3 * median(nchw[i]),
                              convs[i].empty() ? 0.0 : 1e3 * median(convs[i]), median(ratios)});
        }
    }
    const double peakFlops = 2.0 * peakBatch * peakSize * peakSize * peakChannels * peakChannels * 9;
    for (const auto& p : peaks)
        m.peaks.emplace_back(p.name, peakFlops / median(p.times) * 1e-9);
    return m;
}

void report(const char* title, const NetConfig& c, const Measurement& m, double ratioTarget,
            const std::vector<double>& ratioWidths)
{
    const auto& rows = m.rows;
    const double peak = m.peakGflops();
    std::printf("\n== %s: %s\n", title, describe(c).c_str());
    std::printf("plain 3x3 conv peak (same run): %.1f GFLOP/s (", peak);
    for (size_t i = 0; i < m.peaks.size(); ++i)
        std::printf("%s%s %.1f", i ? ", " : "", m.peaks[i].first.c_str(), m.peaks[i].second);
    std::printf(")\n\n");
    std::printf("%6s %6s %12s %12s %10s %9s %11s %11s %11s %11s %11s %10s\n", "width", "batch", "ms/batch", "ms/image",
                "GFLOP/s", "of peak", "FLOPs ratio", "time ratio", "unfused ms", "unsplit ms", "NCHW ms", "convs ms");
    for (const Row& r : rows) {
        const double flopsRatio = double(totalMacs(c, r.width)) / double(totalMacs(c, 1.0));
        const double timeRatio = r.timeRatio;
        std::printf("%6.2f %6d %12.2f %12.3f %10.1f %8.0f%% %11.3f %11.3f %11.2f %11.2f %11.2f", r.width, r.batch,
                    r.msPerBatch, r.msPerBatch / r.batch, r.gflops, 100 * r.gflops / peak, flopsRatio, timeRatio,
                    r.unfusedMsPerBatch, r.unsplitMsPerBatch, r.nchwMsPerBatch);
        if (r.convsMsPerBatch > 0)
            std::printf(" %10.2f", r.convsMsPerBatch);
        else
            std::printf(" %10s", "");
        if (r.batch == rows.back().batch) {
            if (r.width == 1.0)
                std::printf("   target >= 50%% of peak: %s", r.gflops >= 0.5 * peak ? "met" : "MISSED");
            else if (std::count(ratioWidths.begin(), ratioWidths.end(), r.width))
                std::printf("   time/FLOPs %.2fx (target <= %.2fx): %s", timeRatio / flopsRatio, ratioTarget,
                            timeRatio / flopsRatio <= ratioTarget ? "met" : "MISSED");
            else
                std::printf("   time/FLOPs %.2fx", timeRatio / flopsRatio);
        }
        std::printf("\n");
    }
    std::printf("at batch %d:\n", rows.back().batch);
    for (const Row& r : rows)
        if (r.batch == rows.back().batch)
            std::printf("  width %.2f: its convolutions alone take %.0f%% of the forward pass; the fused kernels save "
                        "%.0f%% of the composite ops' time\n",
                        r.width, 100 * r.convsMsPerBatch / r.msPerBatch,
                        100 * (r.unfusedMsPerBatch - r.msPerBatch) / r.unfusedMsPerBatch);
}

}  // namespace

int main(int argc, char** argv)
{
    bool quick = false;
    int threads = defaultThreadCount();
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) {
            quick = true;
        } else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: bench_engine [--quick] [--threads N] [--only small|cifar10]\n");
            return std::strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    if (!only.empty() && only != "small" && only != "cifar10") {
        std::fprintf(stderr, "bench_engine: --only takes small or cifar10, not \"%s\"\n", only.c_str());
        return 2;
    }
    torch::set_num_threads(threads);
    std::printf("bench_engine: %d threads, torch %s, %s\n", threads, TORCH_VERSION, quick ? "quick" : "full");
    const std::string root = DDSM_SOURCE_DIR;

    if (only != "cifar10") {
        const NetConfig small = loadNetConfig(root + "/configs/fmnist-small.json");
        // Busiest layers of the small network: 32 channels at 28x28.
        const auto smallRun = benchNetwork(small, {1, 16, 64}, quick ? 3 : 9, 32, 28);
        report("default Fashion-MNIST config", small, smallRun, 1.5, {0.75, 0.5});
    }
    if (only == "small")
        return 0;

    const NetConfig cifar = loadNetConfig(root + "/configs/ddpm-cifar10.json");
    // Busiest layers of the CIFAR-10 network: 128 channels at 32x32.
    const auto cifarRun =
        benchNetwork(cifar, quick ? std::vector<int>{1, 16} : std::vector<int>{1, 16, 64}, quick ? 2 : 5, 128, 32);
    report("DDPM CIFAR-10 config", cifar, cifarRun, 1.25, {0.75, 0.5, 0.25});
    return 0;
}
