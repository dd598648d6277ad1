// Seconds until the app's background measurement knows what a schedule costs:
// the paired difference FID(schedule) - FID(full width) on the same images has
// a 95% bootstrap interval within +-2 FID. Measured as the app measures it,
// batch by batch: "cold" samples full width and the schedule (the first
// measurement of a model and sampler), "warm" samples the schedule only (every
// later edit, full width's images being kept). The absolute FID's interval is
// printed beside it for comparison.
//
// usage: bench_paired_convergence MODEL SCHEDULE [ddim|ddpm] [steps] [batch] [max_samples] [seed]
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/fid_bootstrap.h"
#include "metrics/stats_file.h"
#include "schedule/schedule_file.h"
#include "search/reevaluation.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s MODEL SCHEDULE [ddim|ddpm] [steps] [batch] [max_samples] [seed]\n", argv[0]);
        return 2;
    }
    const auto arg = [&](int i, int fallback) { return argc > i ? std::stoi(argv[i]) : fallback; };
    try {
        torch::set_num_threads(2);
        torch::NoGradGuard noGrad;
        auto denoiser = ddsm::openSlimmableDenoiser(argv[1], c10::kCPU);
        auto extractor = ddsm::openFeatureExtractor("default");
        const auto reference = ddsm::loadStatsNpz(ddsm::defaultReferenceStatsPath());
        const int T = denoiser->diffusion().T;
        const auto document = ddsm::loadSchedule(argv[2], T);
        ddsm::SamplerSettings sampler;
        sampler.kind = argc > 3 ? argv[3] : "ddpm";
        sampler.steps = arg(4, 100);
        const int batch = arg(5, 100), maxSamples = arg(6, 4000);
        sampler.seed = uint64_t(arg(7, 2000003));
        sampler.validate(T);
        const ddsm::GaussianDiffusion diffusion(denoiser->diffusion());
        const auto scheduleRecipe = ddsm::makeRecipe(sampler, document.schedule.widths());
        const auto fullRecipe = ddsm::makeRecipe(sampler, std::vector<double>(size_t(T), 1.0));
        const auto saving = ddsm::scheduleCost(scheduleRecipe.stepWidths, 1.0,
                                               [&](double w) { return denoiser->macsPerImage(w); })
                                .saving();
        std::printf("model %s\nschedule %s (%s), FLOPs saving %.1f%%\n%s, seed %llu, batches of %d, at most %d\n\n",
                    argv[1], argv[2], document.schedule.description().c_str(), 100 * saving,
                    sampler.toString().c_str(), static_cast<unsigned long long>(sampler.seed), batch, maxSamples);
        std::printf("%8s %9s %9s   %-28s %s\n", "samples", "cold s", "warm s", "FID(schedule) - FID(full)",
                    "FID(schedule)");
        at::Tensor full, scheduled;
        double cold = 0, warm = 0;
        bool reported = false;
        for (int first = 0; first < maxSamples; first += batch) {
            auto start = std::chrono::steady_clock::now();
            const auto f = ddsm::sampleFeatures(*denoiser, diffusion, fullRecipe, *extractor, first, batch);
            const double fullSeconds = secondsSince(start);
            start = std::chrono::steady_clock::now();
            const auto s = ddsm::sampleFeatures(*denoiser, diffusion, scheduleRecipe, *extractor, first, batch);
            full = first == 0 ? f : torch::cat({full, f}, 0);
            scheduled = first == 0 ? s : torch::cat({scheduled, s}, 0);
            ddsm::BootstrapOptions bootstrap;
            bootstrap.seed = sampler.seed;
            const auto d = ddsm::pairedFidDifference(reference, full, scheduled, bootstrap);
            const auto absolute = ddsm::bootstrapFid(reference, scheduled, bootstrap);
            const double scoring = secondsSince(start);  // the schedule's sampling and both bootstraps
            cold += fullSeconds + scoring;
            warm += scoring;
            const double half = (d.interval.high - d.interval.low) / 2;
            std::printf("%8lld %9.1f %9.1f   %+7.2f [%+7.2f, %+7.2f] +-%.2f   %.2f [%.2f, %.2f] +-%.2f\n",
                        static_cast<long long>(scheduled.size(0)), cold, warm, d.value, d.interval.low, d.interval.high, half,
                        absolute.value, absolute.interval.low, absolute.interval.high,
                        (absolute.interval.high - absolute.interval.low) / 2);
            std::fflush(stdout);
            if (half <= 2.0 && !reported) {
                std::printf("\nwithin +-2 FID after %lld images: %.1f s cold, %.1f s warm\n",
                            static_cast<long long>(scheduled.size(0)), cold, warm);
                reported = true;
                break;
            }
        }
        if (!reported)
            std::printf("\nnot within +-2 FID after %d images (%.1f s cold, %.1f s warm)\n", maxSamples, cold, warm);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
