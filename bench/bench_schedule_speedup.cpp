// Wall-clock speed-up of a step-aware schedule against full width: the whole
// sampler (every step's network call and update) on the same noise, the two
// timed round-robin so that load from elsewhere falls on both alike, beside
// the speed-up its FLOPs promise.
//
//   build/release/bench/bench_schedule_speedup MODEL SCHEDULE [--samples 128] [--batch 128]
//       [--steps 50] [--rounds 5] [--threads N]
#include "base/threads.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/sampler.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "metrics/percentile.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace ddsm;

namespace {

double median(const std::vector<double>& v) { return quantile(v, 0.5); }

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: %s MODEL SCHEDULE [--samples 128] [--batch 128] [--steps 50] [--rounds 5] "
                     "[--threads N]\n",
                     argv[0]);
        return 2;
    }
    std::map<std::string, int> o{{"samples", 128}, {"batch", 128}, {"steps", 50}, {"rounds", 5},
                                 {"threads", defaultThreadCount()}};
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        if (name.rfind("--", 0) != 0 || !o.count(name.substr(2))) {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
        o[name.substr(2)] = std::atoi(argv[i + 1]);
    }
    try {
        torch::set_num_threads(o["threads"]);
        torch::NoGradGuard noGrad;
        auto denoiser = openSlimmableDenoiser(argv[1], c10::Device(c10::kCPU));
        const auto& config = denoiser->net().config();
        const GaussianDiffusion diffusion(denoiser->diffusion());
        const auto document = loadSchedule(argv[2], config.diffusion.T);
        SamplerSettings settings;
        settings.steps = o["steps"];
        const auto timesteps = respacedTimesteps(config.diffusion.T, settings.steps);
        const auto stepWidths = document.schedule.widthsAt(timesteps);
        const std::vector<double> fullWidths(stepWidths.size(), config.widths.front());

        const auto cost = scheduleCost(stepWidths, config.widths.front(),
                                       [&](double w) { return double(totalMacs(config, w)); });
        const double flopsRatio = cost.macsPerImage / cost.fullWidthMacsPerImage;

        // One pass over every image, in batches.
        const auto sampleAll = [&](const std::vector<double>& widths) {
            const auto start = std::chrono::steady_clock::now();
            for (int first = 0; first < o["samples"]; first += o["batch"]) {
                SamplerSettings s = settings;
                s.firstImage = first;
                SamplerRun run;
                run.timesteps = timesteps;
                run.stepWidths = widths;
                run.x = initialNoise(s.seed, first, std::min(o["batch"], o["samples"] - first), config.channels,
                                     config.imageSize);
                runSampler(*denoiser, diffusion, s, run);
            }
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        sampleAll(fullWidths);  // warm-up: slices, allocator
        sampleAll(stepWidths);
        std::vector<double> full, scheduled;
        for (int r = 0; r < o["rounds"]; ++r) {
            full.push_back(sampleAll(fullWidths));
            scheduled.push_back(sampleAll(stepWidths));
        }
        const double speedup = median(full) / median(scheduled);
        std::printf("bench_schedule_speedup: %s, schedule %s\n", argv[1], argv[2]);
        std::printf("%s, %d samples in batches of %d, %d threads, median of %d rounds\n",
                    settings.toString().c_str(), o["samples"], o["batch"], torch::get_num_threads(), o["rounds"]);
        std::printf("step widths (denoising order):");
        for (double w : stepWidths)
            std::printf(" %g", w);
        std::printf("\nfull width  %8.2f s\nschedule    %8.2f s\n", median(full), median(scheduled));
        std::printf("FLOPs %.3f of full width (promises %.2fx); measured speed-up %.2fx = %.2f of the FLOPs ratio "
                    "(target >= 0.85)\n",
                    flopsRatio, 1 / flopsRatio, speedup, speedup * flopsRatio);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
