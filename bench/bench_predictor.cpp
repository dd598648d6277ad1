// How well the instant distance predictor ranks schedules it never saw:
// measures the FID of random schedules from one seeded noise, fits the
// per-bin, per-width penalties on some and prints Kendall tau on the rest.
//
// usage: bench_predictor MODEL [samples=500] [steps=20] [bins=8] [fit=40] [held_out=20] [out.json]
// Uses the shipped feature classifier and training statistics (models/).
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/feature_network.h"
#include "evaluation/predictor_calibration.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL [samples] [steps] [bins] [fit] [held_out] [out.json]\n", argv[0]);
        return 2;
    }
    const auto arg = [&](int i, int fallback) { return argc > i ? std::stoi(argv[i]) : fallback; };
    try {
        torch::set_num_threads(2);
        auto denoiser = ddsm::openSlimmableDenoiser(argv[1], c10::kCPU);
        auto extractor = ddsm::openFeatureExtractor("default");
        const auto reference = ddsm::loadStatsNpz(ddsm::defaultReferenceStatsPath());
        ddsm::CalibrationSettings settings;
        settings.samples = arg(2, 500);
        settings.sampler.steps = arg(3, 20);
        settings.bins = arg(4, 8);
        settings.fitSchedules = arg(5, 40);
        settings.heldOutSchedules = arg(6, 20);
        std::printf("model %s\nfeatures %s, reference %s\n%d bins, %d fit + %d held-out schedules, %d samples each, "
                    "%s\n",
                    argv[1], extractor->name().c_str(), reference.source.c_str(), settings.bins,
                    settings.fitSchedules, settings.heldOutSchedules, settings.samples,
                    settings.sampler.toString().c_str());
        std::fflush(stdout);
        const auto result = ddsm::calibratePredictor(*denoiser, *extractor, reference, settings, argv[1],
                                                     [](int done, int total) {
                                                         std::fprintf(stderr, "\r  schedule %d/%d", done, total);
                                                     });
        std::fprintf(stderr, "\n");
        const auto& c = result.calibration;
        std::printf("\nheld-out schedule  mean-width  measured  predicted\n");
        for (size_t i = 0; i < result.heldOut.size(); ++i) {
            double mean = 0;
            for (double w : result.heldOut[i].widthsByTimestep)
                mean += w / double(c.T);
            std::printf("%17zu  %10.3f  %8.3f  %9.3f\n", i, mean, result.heldOut[i].distance,
                        result.heldOutPredicted[i]);
        }
        std::printf("\nfull-width distance (fitted base) %.3f, fit rmse %.3f on %d schedules\n", c.base, c.fitRmse,
                    c.fittedSchedules);
        std::printf("held-out Kendall tau %.3f over %d schedules (target >= 0.8)\n", c.heldOutKendallTau,
                    c.heldOutSchedules);
        std::printf("measuring: %.0f s for %d schedules; one prediction: %.2f us\n", result.measureSeconds,
                    c.fittedSchedules + c.heldOutSchedules, result.predictMicroseconds);
        if (argc > 7) {
            ddsm::savePredictor(argv[7], c);
            std::printf("wrote %s\n", argv[7]);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
