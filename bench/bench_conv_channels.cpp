// Speed of a plain 3x3 convolution by channel count, at the default model's
// resolutions: why a width whose layers get channel counts off the backend's
// vector blocks (e.g. 24 on AVX-512) costs more time than its FLOPs say.
// Shapes are timed round-robin (median of the rounds), so a neighbour's load
// falls on all alike.
//
// usage: bench_conv_channels [THREADS=2] [BATCH=64] [ROUNDS=15]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Shape {
    int64_t channels, size;
    std::vector<double> ms;
};

}  // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    const int64_t batch = argc > 2 ? std::atoll(argv[2]) : 64;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 15;
    torch::set_num_threads(threads);
    torch::NoGradGuard noGrad;
    std::vector<Shape> shapes;
    for (int64_t c : {8, 16, 24, 32, 40, 48})
        shapes.push_back({c, 28, {}});
    for (int64_t c : {16, 24, 32, 48, 64})
        shapes.push_back({c, 14, {}});
    for (int round = -2; round < rounds; ++round)  // two warm-up rounds
        for (auto& s : shapes) {
            const auto x = torch::randn({batch, s.channels, s.size, s.size});
            const auto w = torch::randn({s.channels, s.channels, 3, 3});
            const auto b = torch::randn({s.channels});
            const auto start = std::chrono::steady_clock::now();
            const auto y = torch::conv2d(x, w, b, 1, 1);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (round >= 0)
                s.ms.push_back(ms);
        }
    std::printf("bench_conv_channels: 3x3 conv, c -> c channels, batch %lld, %d threads, median of %d rounds\n",
                static_cast<long long>(batch), threads, rounds);
    std::printf("%6s %9s %10s %10s\n", "size", "channels", "ms", "GFLOP/s");
    for (auto& s : shapes) {
        std::sort(s.ms.begin(), s.ms.end());
        const double ms = s.ms[s.ms.size() / 2];
        const double flops = 2.0 * double(batch * s.size * s.size * s.channels * s.channels * 9);
        std::printf("%3lldx%-3lld %9lld %10.3f %10.1f\n", static_cast<long long>(s.size), static_cast<long long>(s.size),
                    static_cast<long long>(s.channels), ms, flops / (ms * 1e-3) * 1e-9);
    }
    return 0;
}
