// How well the instant distance predictor ranks schedules it never saw:
// measures the FID of random schedules from one seeded noise, chooses the
// surrogate (distance or log-distance target, ridge) by leave-one-out over
// the fitted schedules, fits it, and prints Kendall tau on the held-out rest.
//
// usage: bench_predictor MODEL [samples=500] [steps=20] [bins=8] [fit=40] [held_out=20] [out.json]
//        bench_predictor --refit CALIB.json [bins] [out.json]   (the measurements CALIB holds, no sampling)
// Uses the shipped feature classifier and training statistics (models/).
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/feature_network.h"
#include "evaluation/predictor_calibration.h"
#include "evaluation/predictor_file.h"
#include "metrics/kendall_tau.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>

namespace {

// Kendall tau over the held-out schedules counting each distinct schedule
// once (a random draw can repeat one, full width most often).
double distinctKendallTau(const ddsm::CalibrationResult& result, size_t& distinct)
{
    std::vector<double> measured, predicted;
    std::set<std::vector<double>> seen;
    const auto& heldOut = result.calibration.heldOut;
    for (size_t i = 0; i < heldOut.size(); ++i)
        if (seen.insert(heldOut[i].widthsByTimestep).second) {
            measured.push_back(heldOut[i].distance);
            predicted.push_back(result.heldOutPredicted[i]);
        }
    distinct = measured.size();
    return ddsm::kendallTau(predicted, measured);
}

void report(const ddsm::CalibrationResult& result)
{
    const auto& c = result.calibration;
    std::printf("\nleave-one-out over the %d fitted schedules (best 6 of %zu models):\n", c.fittedSchedules,
                result.modelScores.size());
    std::printf("  %-13s %8s %8s %9s\n", "target", "ridge", "tau", "rmse");
    for (size_t i = 0; i < result.modelScores.size() && i < 6; ++i) {
        const auto& s = result.modelScores[i];
        std::printf("  %-13s %8g %8.3f %9.3f\n", s.target.c_str(), s.ridge, s.kendallTau, s.rmse);
    }
    std::printf("chosen: %s target, ridge %g\n", c.target.c_str(), c.ridge);

    std::printf("\nheld-out schedule  mean-width  measured  predicted\n");
    for (size_t i = 0; i < c.heldOut.size(); ++i) {
        double mean = 0;
        for (double w : c.heldOut[i].widthsByTimestep)
            mean += w / double(c.T);
        std::printf("%17zu  %10.3f  %8.3f  %9.3f\n", i, mean, c.heldOut[i].distance, result.heldOutPredicted[i]);
    }
    const ddsm::DistancePredictor predictor(c);
    std::printf("\nfull-width distance predicted %.3f, measured %.3f; fit rmse %.3f on %d schedules\n",
                predictor.predict(std::vector<double>(size_t(c.T), c.widths.front())), c.fitted.front().distance,
                c.fitRmse, c.fittedSchedules);
    size_t distinct = 0;
    const double distinctTau = distinctKendallTau(result, distinct);
    std::printf("held-out Kendall tau %.3f over %d schedules, %.3f over the %zu distinct ones (target >= 0.8)\n",
                c.heldOutKendallTau, c.heldOutSchedules, distinctTau, distinct);
    if (result.measureSeconds > 0)
        std::printf("measuring: %.0f s for %d schedules; ", result.measureSeconds,
                    c.fittedSchedules + c.heldOutSchedules);
    std::printf("one prediction: %.2f us\n", result.predictMicroseconds);
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s MODEL [samples] [steps] [bins] [fit] [held_out] [out.json]\n"
                     "       %s --refit CALIB.json [bins] [out.json]\n",
                     argv[0], argv[0]);
        return 2;
    }
    const auto arg = [&](int i, int fallback) { return argc > i ? std::stoi(argv[i]) : fallback; };
    try {
        if (!std::strcmp(argv[1], "--refit") && argc > 2) {
            const auto old = ddsm::loadPredictor(argv[2]);
            std::printf("refit of %s: %s, %zu fit + %zu held-out schedules, %lld samples each, %s\n", argv[2],
                        old.model.c_str(), old.fitted.size(), old.heldOut.size(), static_cast<long long>(old.samples),
                        old.sampler.c_str());
            const auto result = ddsm::refitPredictor(old, arg(3, 0));
            std::printf("%d bins\n", result.calibration.bins());
            report(result);
            if (argc > 4) {
                ddsm::savePredictor(argv[4], result.calibration);
                std::printf("wrote %s\n", argv[4]);
            }
            return 0;
        }
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
        if (argc > 7)  // an interrupted run goes on from the distances it kept
            ddsm::keepCalibrationProgress(settings, argv[7], argv[1]);
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
        report(result);
        if (result.keptSchedules > 0)
            std::printf("(%d distances kept from an interrupted run, %s)\n", result.keptSchedules,
                        settings.progressFile.c_str());
        if (argc > 7) {
            ddsm::savePredictor(argv[7], result.calibration);
            ddsm::removeCalibrationProgress(settings);
            std::printf("wrote %s\n", argv[7]);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
