// Speed of a plain 3x3 convolution by channel count and memory layout, at the
// default model's resolutions and two of the CIFAR-10 config's: why a width
// whose layers get channel counts off the backend's vector blocks (e.g. 24 on
// AVX-512) costs more time than its FLOPs say, and what channels-last inference
// gains over NCHW (inference_layout.h). Then the network's last layer, a 3x3
// convolution to one or three channels, through oneDNN and through
// narrowOutputConv3x3 (narrow_output_conv.h). Shapes are timed round-robin
// (median of the rounds), so a neighbour's load falls on all alike; the batch
// runs as one share per thread, as inference runs it.
//
// usage: bench_conv_channels [THREADS=2] [BATCH=64] [ROUNDS=15]
#include "engine/batch_split.h"
#include "engine/narrow_output_conv.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

struct Case {
    int64_t in, out, size;
    std::vector<double> first, second;  // ms of the two ways compared
};

double timeMs(const std::function<void()>& f)
{
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The convolution's input in NCHW and in channels-last (converted outside
// the timing: inference keeps one layout throughout), weight and bias.
// Each split into one share of the batch per thread, as inference runs them
// (batch_split.h).
struct Operands {
    std::vector<torch::Tensor> nchw, channelsLast;
    torch::Tensor weight, bias;
};

// Times run(operands, share, false) and run(operands, share, true) over the
// shares for every case, round-robin.
void timeCases(std::vector<Case>& cases, int rounds, int64_t batch,
               const std::function<void(const Operands&, int64_t share, bool second)>& run)
{
    for (int round = -2; round < rounds; ++round)  // two warm-up rounds
        for (auto& k : cases) {
            const auto x = torch::randn({batch, k.in, k.size, k.size});
            const int64_t shares = ddsm::batchShares(batch, torch::kCPU);
            const Operands o{x.tensor_split(shares), x.contiguous(at::MemoryFormat::ChannelsLast).tensor_split(shares),
                             torch::randn({k.out, k.in, 3, 3}), torch::randn({k.out})};
            const double a = timeMs([&] { ddsm::runShares(shares, [&](int64_t i) { run(o, i, false); }); });
            const double c = timeMs([&] { ddsm::runShares(shares, [&](int64_t i) { run(o, i, true); }); });
            if (round >= 0) {
                k.first.push_back(a);
                k.second.push_back(c);
            }
        }
}

double gflops(const Case& k, int64_t batch, double ms)
{
    return 2.0 * double(batch * k.size * k.size * k.in * k.out * 9) / (ms * 1e-3) * 1e-9;
}

}  // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int64_t batch = argc > 2 ? std::atoll(argv[2]) : 64;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 15;
    torch::set_num_threads(threads);
    torch::NoGradGuard noGrad;

    std::vector<Case> square;
    for (int64_t c : {8, 16, 24, 32, 40, 48})
        square.push_back({c, c, 28, {}, {}});
    for (int64_t c : {16, 24, 32, 48, 64})
        square.push_back({c, c, 14, {}, {}});
    for (int64_t c : {32, 128})
        square.push_back({c, c, 32, {}, {}});
    square.push_back({256, 256, 16, {}, {}});
    timeCases(square, rounds, batch, [](const Operands& o, int64_t i, bool channelsLast) {
        torch::conv2d(channelsLast ? o.channelsLast[i] : o.nchw[i], o.weight, o.bias, 1, 1);
    });
    std::printf("bench_conv_channels: 3x3 conv, c -> c channels, batch %lld, %d threads (one share of the batch "
                "each), median of %d rounds\n",
                static_cast<long long>(batch), threads, rounds);
    std::printf("%7s %9s %10s %10s %16s %16s %8s\n", "size", "channels", "NCHW ms", "GFLOP/s", "chan.-last ms",
                "GFLOP/s", "gain");
    for (const auto& k : square) {
        const double a = median(k.first), c = median(k.second);
        std::printf("%3lldx%-3lld %9lld %10.3f %10.1f %16.3f %16.1f %7.2fx\n", static_cast<long long>(k.size),
                    static_cast<long long>(k.size), static_cast<long long>(k.in), a, gflops(k, batch, a), c,
                    gflops(k, batch, c), a / c);
    }

    std::vector<Case> narrow{{16, 1, 28, {}, {}}, {32, 1, 28, {}, {}}, {32, 3, 32, {}, {}}, {128, 3, 32, {}, {}}};
    timeCases(narrow, rounds, batch, [](const Operands& o, int64_t i, bool ours) {
        if (ours)
            ddsm::convolve(o.channelsLast[i], o.weight, o.bias, 1, 1);  // torch's where ours does not apply
        else
            torch::conv2d(o.channelsLast[i], o.weight, o.bias, 1, 1);
    });
    std::printf("\n3x3 conv to few channels, channels-last input, batch %lld: oneDNN vs narrowOutputConv3x3\n",
                static_cast<long long>(batch));
    std::printf("%7s %6s %8s %12s %10s %12s %10s %8s %s\n", "size", "in", "out", "oneDNN ms", "GFLOP/s", "ours ms",
                "GFLOP/s", "gain", "");
    for (const auto& k : narrow) {
        const double a = median(k.first), c = median(k.second);
        const bool applies = ddsm::narrowOutputConv3x3(torch::zeros({1, k.in, 4, 4}).contiguous(at::MemoryFormat::ChannelsLast),
                                                       torch::zeros({k.out, k.in, 3, 3}), torch::zeros({k.out}))
                                 .defined();
        std::printf("%3lldx%-3lld %6lld %8lld %12.3f %10.1f %12.3f %10.1f %7.2fx %s\n", static_cast<long long>(k.size),
                    static_cast<long long>(k.size), static_cast<long long>(k.in), static_cast<long long>(k.out), a,
                    gflops(k, batch, a), c, gflops(k, batch, c), a / c, applies ? "" : "(not used: oneDNN both)");
    }
    return 0;
}
