// Engine benchmark: forward latency and GFLOP/s of the slimmable UNet per width
// and batch size, beside the GFLOP/s of a plain 3x3 convolution of similar
// shape measured in the same run (this machine's practical peak).
//
//   build/release/bench/bench_engine [--quick] [--threads N]
//
// Ratios are what to read: the machine is shared and absolute times drift.
#include "base/threads.h"
#include "engine/flops.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace ddsm;

namespace {

double secondsOf(const std::function<void()>& f, int repeats)
{
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];  // median
}

// A bias-free 3x3 convolution, channels in = out, at the network's busiest resolution.
double convPeakGflops(int64_t batch, int64_t channels, int64_t size, int repeats)
{
    torch::NoGradGuard noGrad;
    auto x = torch::randn({batch, channels, size, size});
    auto w = torch::randn({channels, channels, 3, 3});
    torch::conv2d(x, w, {}, 1, 1);  // warm-up
    const double seconds = secondsOf([&] { torch::conv2d(x, w, {}, 1, 1); }, repeats);
    const double flops = 2.0 * batch * size * size * channels * channels * 9;
    return flops / seconds * 1e-9;
}

struct Row {
    double width;
    int batch;
    double msPerBatch, gflops;
};

std::vector<Row> benchNetwork(const NetConfig& c, const std::vector<int>& batches, int repeats)
{
    SlimmableUNet net(c);
    net.eval();
    torch::NoGradGuard noGrad;
    std::vector<Row> rows;
    for (int batch : batches) {
        auto x = torch::randn({batch, c.channels, c.imageSize, c.imageSize});
        auto t = torch::full({batch}, 500, torch::kLong);
        for (double w : c.widths) {
            net.forward(x, t, w);  // warm-up, fills the slice cache
            const double s = secondsOf([&] { net.forward(x, t, w); }, repeats);
            rows.push_back({w, batch, 1e3 * s, 2.0 * double(totalMacs(c, w)) * batch / s * 1e-9});
        }
    }
    return rows;
}

void report(const char* title, const NetConfig& c, const std::vector<Row>& rows, double peak, double ratioTarget,
            const std::vector<double>& ratioWidths)
{
    std::printf("\n== %s: %s\n", title, describe(c).c_str());
    std::printf("plain 3x3 conv peak (same run): %.1f GFLOP/s\n\n", peak);
    std::printf("%6s %6s %12s %12s %10s %9s %11s %11s\n", "width", "batch", "ms/batch", "ms/image", "GFLOP/s", "of peak",
                "FLOPs ratio", "time ratio");
    for (const Row& r : rows) {
        const Row* full = nullptr;
        for (const Row& f : rows)
            if (f.batch == r.batch && f.width == 1.0)
                full = &f;
        const double flopsRatio = double(totalMacs(c, r.width)) / double(totalMacs(c, 1.0));
        const double timeRatio = r.msPerBatch / full->msPerBatch;
        std::printf("%6.2f %6d %12.2f %12.3f %10.1f %8.0f%% %11.3f %11.3f", r.width, r.batch, r.msPerBatch,
                    r.msPerBatch / r.batch, r.gflops, 100 * r.gflops / peak, flopsRatio, timeRatio);
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
}

}  // namespace

int main(int argc, char** argv)
{
    bool quick = false;
    int threads = defaultThreadCount();
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
    }
    torch::set_num_threads(threads);
    std::printf("bench_engine: %d threads, torch %s, %s\n", threads, TORCH_VERSION, quick ? "quick" : "full");
    const std::string root = DDSM_SOURCE_DIR;

    const NetConfig small = loadNetConfig(root + "/configs/fmnist-small.json");
    const int repeats = quick ? 3 : 7;
    const auto smallRows = benchNetwork(small, {1, 16, 64}, repeats);
    // Busiest layer of the small network: 32 channels at 28x28 (and 64 at 7x7).
    const double smallPeak = convPeakGflops(64, 32, 28, repeats);
    report("default Fashion-MNIST config", small, smallRows, smallPeak, 1.5, {0.75, 0.5});

    const NetConfig cifar = loadNetConfig(root + "/configs/ddpm-cifar10.json");
    const auto cifarRows = benchNetwork(cifar, quick ? std::vector<int>{1, 16} : std::vector<int>{1, 16, 64}, quick ? 2 : 3);
    const double cifarPeak = convPeakGflops(quick ? 16 : 64, 128, 32, quick ? 2 : 3);
    report("DDPM CIFAR-10 config", cifar, cifarRows, cifarPeak, 1.25, {0.75, 0.5, 0.25});
    return 0;
}
