// Where a forward pass spends its time: the aten operations the slimmable
// UNet calls directly (conv2d, group_norm, silu_, add_, cat, bmm, ...), their
// total time per call of the network and their share, per width. Nested
// operations (a conv2d's oneDNN kernel) count inside their caller.
//
//   build/release/bench/bench_forward_profile CONFIG.json [--batch 64] [--rounds 5] [--threads N]
#include "base/threads.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace ddsm;
namespace profiler = torch::autograd::profiler;

namespace {

// Inclusive microseconds of every top-level operation, by name.
std::map<std::string, double> topLevelTimes(const profiler::thread_event_lists& lists)
{
    std::map<std::string, double> times;
    for (const auto& events : lists) {
        std::vector<const profiler::LegacyEvent*> open;
        for (const auto& e : events) {
            if (e.kind() == profiler::EventKind::PushRange) {
                open.push_back(&e);
            } else if (e.kind() == profiler::EventKind::PopRange && !open.empty()) {
                const auto* start = open.back();
                open.pop_back();
                if (open.empty())
                    times[start->name()] += start->cpuElapsedUs(e);
            }
        }
    }
    return times;
}

}  // namespace

int main(int argc, char** argv)
{
    const auto usage = [&] {
        std::fprintf(stderr, "usage: %s CONFIG.json [--batch 64] [--rounds 5] [--threads N]\n", argv[0]);
        return 2;
    };
    if (argc < 2 || argv[1][0] == '-')
        return usage();
    int batch = 64, rounds = 5, threads = defaultThreadCount();
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc)
            return usage();
        if (!std::strcmp(argv[i], "--batch"))
            batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--rounds"))
            rounds = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = std::atoi(argv[i + 1]);
        else
            return usage();
    }
    // The per-thread batch split runs the network on the pool's threads, where
    // this thread's profiler does not see it: one thread shows the whole pass.
    torch::set_num_threads(threads);
    NetConfig config;
    try {
        config = loadNetConfig(argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_forward_profile: %s\n", e.what());
        return 1;
    }
    SlimmableUNet net(config);
    net.eval();
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({batch, config.channels, config.imageSize, config.imageSize});
    const auto t = torch::full({batch}, 500, torch::kLong);
    std::printf("bench_forward_profile: %s, batch %d, %d rounds, %d threads\n", describe(config).c_str(), batch,
                rounds, threads);
    for (double width : config.widths) {
        net.forward(x, t, width);  // warm-up: weight slices, allocator
        std::map<std::string, double> total;
        {
            profiler::TLSLegacyProfilerGuard guard(
                torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU),
                [&](const profiler::thread_event_lists& lists) { total = topLevelTimes(lists); });
            for (int r = 0; r < rounds; ++r)
                net.forward(x, t, width);
        }
        double sum = 0;
        for (const auto& [name, us] : total)
            sum += us;
        std::vector<std::pair<double, std::string>> sorted;
        for (const auto& [name, us] : total)
            sorted.push_back({us, name});
        std::sort(sorted.rbegin(), sorted.rend());
        std::printf("\nwidth %g: %.2f ms per forward in aten operations\n", width, sum / rounds / 1000);
        for (const auto& [us, name] : sorted)
            if (us / sum >= 0.005)
                std::printf("  %-32s %9.2f ms %6.1f%%\n", name.c_str(), us / rounds / 1000, 100 * us / sum);
    }
    return 0;
}
