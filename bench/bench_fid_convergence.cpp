// Seconds until a distance estimate is within +-10% at 95% confidence: the
// FID's bootstrap interval half-width divided by its value drops below 0.1.
// Runs full width and a schedule at about half the FLOPs side by side, in
// alternating batches, so both see the same machine load.
//
// usage: bench_fid_convergence MODEL [steps=20] [batch=100] [max_samples=10000]
// Uses the shipped feature classifier and training statistics (models/).
#include "engine/model_file.h"
#include "engine/flops.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/stats_file.h"
#include "schedule/step_schedule.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace {

struct Contender {
    std::string label;
    std::vector<double> widthsByTimestep;
    double saving = 0;
    std::unique_ptr<ddsm::SampleQualityRun> run;
    double seconds = 0;
    bool converged = false;
    ddsm::Estimate at;
};

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL [steps] [batch] [max_samples]\n", argv[0]);
        return 2;
    }
    const auto arg = [&](int i, int fallback) { return argc > i ? std::stoi(argv[i]) : fallback; };
    try {
        torch::set_num_threads(2);
        auto denoiser = ddsm::openSlimmableDenoiser(argv[1], c10::kCPU);
        auto extractor = ddsm::openFeatureExtractor("default");
        const auto reference = ddsm::loadStatsNpz(ddsm::defaultReferenceStatsPath());
        ddsm::SamplerSettings sampler;
        sampler.steps = arg(2, 20);
        const int batch = arg(3, 100), maxSamples = arg(4, 10000);
        const int T = denoiser->diffusion().T;
        const auto macs = [&](double w) { return denoiser->macsPerImage(w); };

        // The half-FLOPs schedule: the noisy end at width 0.5, the rest at full
        // width, with the switch placed where the saving is closest to 50%.
        const double narrow = denoiser->widths().size() > 2 ? 0.5 : denoiser->widths().back();
        ddsm::StepSchedule half;
        double bestGap = 1e9;
        for (int k = 0; k <= 100; ++k) {
            const auto s = ddsm::StepSchedule::switchFraction(T, k / 100.0, narrow, 1.0);
            const double saving = ddsm::scheduleCost(ddsm::stepWidths(s, sampler.steps), 1.0, macs).saving();
            if (std::abs(saving - 0.5) < bestGap) {
                bestGap = std::abs(saving - 0.5);
                half = s;
            }
        }
        std::vector<Contender> contenders(2);
        contenders[0].label = "full width";
        contenders[0].widthsByTimestep.assign(size_t(T), 1.0);
        contenders[1].label = half.description();
        contenders[1].widthsByTimestep = half.widths();
        std::printf("model %s\nfeatures %s, reference %s\n%s, batches of %d, at most %d samples\n", argv[1],
                    extractor->name().c_str(), reference.source.c_str(), sampler.toString().c_str(), batch,
                    maxSamples);
        for (auto& c : contenders) {
            c.saving = ddsm::scheduleCost(ddsm::stepWidths(ddsm::StepSchedule::fromWidths(c.widthsByTimestep),
                                                           sampler.steps),
                                          1.0, macs)
                           .saving();
            c.run = std::make_unique<ddsm::SampleQualityRun>(*denoiser, *extractor, reference, at::Tensor(),
                                                             ddsm::makeRecipe(sampler, c.widthsByTimestep));
        }
        std::printf("\n%-40s %8s %10s %s\n", "schedule", "samples", "seconds", "estimate");
        bool pending = true;
        while (pending) {
            pending = false;
            for (auto& c : contenders) {
                if (c.converged || c.run->count() >= maxSamples)
                    continue;
                const auto start = std::chrono::steady_clock::now();
                c.run->addBatch(batch);
                c.at = c.run->fid(200);
                c.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                c.converged = (c.at.high - c.at.low) / 2 <= 0.1 * c.at.value;
                std::printf("%-40s %8lld %10.1f %s\n", c.label.substr(0, 40).c_str(), static_cast<long long>(c.run->count()),
                            c.seconds, c.at.toString().c_str());
                std::fflush(stdout);
                pending = true;
            }
        }
        std::printf("\nseconds to a 95%% interval within +-10%% (sampling, features and bootstrap):\n");
        for (const auto& c : contenders)
            std::printf("  %-40s FLOPs saving %5.1f%%: %s %.1f s, %lld samples, %s\n", c.label.substr(0, 40).c_str(),
                        100 * c.saving, c.converged ? "converged in" : "NOT converged after", c.seconds,
                        static_cast<long long>(c.run->count()), c.at.toString().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
