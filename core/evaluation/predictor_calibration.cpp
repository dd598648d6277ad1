#include "evaluation/predictor_calibration.h"

#include "base/cancelled.h"
#include "base/error.h"
#include "base/sha256.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/calibration_progress.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/sample_quality.h"
#include "evaluation/step_importance.h"
#include "metrics/frechet.h"
#include "metrics/kendall_tau.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <random>

namespace ddsm {

namespace {

// A uniform double in [0, 1) from 53 random bits, identical on every platform.
double unit(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Fits (the leave-one-out choice when ridge < 0), ranks the held-out
// schedules, and keeps both sets of measurements in the calibration.
void fitAndScore(CalibrationResult& result, const PredictorCalibration& layout, std::vector<MeasuredSchedule> fitted,
                 std::vector<MeasuredSchedule> heldOut, double ridge, const std::string& target)
{
    auto& scores = result.modelScores;
    scores.clear();
    auto calibration = ridge < 0 ? fitSelectedPredictor(layout, fitted, kDefaultRidges, &scores)
                                 : fitDistancePredictor(layout, fitted, ridge, target);
    if (ridge >= 0 && fitted.size() >= 4)
        scores.push_back(scorePredictorModel(layout, fitted, target, ridge));
    calibration.crossValidatedKendallTau = scores.empty() ? 0 : scores.front().kendallTau;
    const DistancePredictor predictor(calibration);
    auto& predicted = result.heldOutPredicted;
    predicted.clear();
    const auto predictStart = std::chrono::steady_clock::now();
    for (const auto& m : heldOut)
        predicted.push_back(predictor.predict(m.widthsByTimestep));
    result.predictMicroseconds = 1e6 * secondsSince(predictStart) / double(heldOut.size());
    std::vector<double> measured;
    for (const auto& m : heldOut)
        measured.push_back(m.distance);
    calibration.heldOutSchedules = int(heldOut.size());
    calibration.heldOutKendallTau = kendallTau(predicted, measured);
    calibration.fitted = std::move(fitted);
    calibration.heldOut = std::move(heldOut);
    result.calibration = std::move(calibration);
}

// Everything a measured distance depends on: the same key, the same numbers.
// The schedule counts are not in it: schedule k is the same whatever the total.
std::string progressKey(const CalibrationSettings& settings, const PredictorCalibration& layout)
{
    return nlohmann::json{{"model", settings.modelIdentity},
                          {"sampler", settings.sampler.toString()},
                          {"T", layout.T},
                          {"bins", layout.binEdges},
                          {"widths", layout.widths},
                          {"schedule_seed", settings.scheduleSeed},
                          {"samples", settings.samples},
                          {"batch", settings.batch},
                          {"features", layout.featureName},
                          {"reference", layout.reference}}
        .dump();
}

}  // namespace

std::vector<std::vector<double>> randomBinSchedules(const std::vector<int>& binEdges,
                                                    const std::vector<double>& widths, int count, uint64_t seed)
{
    if (binEdges.size() < 2 || widths.empty())
        throw Error("random schedules need bins and widths");
    std::mt19937_64 rng(seed);
    std::vector<std::vector<double>> schedules;
    const int T = binEdges.back();
    for (int k = 0; k < count; ++k) {
        std::vector<double> schedule(size_t(T), widths[0]);
        const double fullShare = unit(rng);
        for (size_t b = 0; b + 1 < binEdges.size() && k > 0; ++b) {
            double width = widths[0];
            if (widths.size() > 1 && unit(rng) >= fullShare)
                width = widths[1 + size_t(unit(rng) * double(widths.size() - 1))];
            for (int t = binEdges[b]; t < binEdges[b + 1]; ++t)
                schedule[size_t(t)] = width;
        }
        schedules.push_back(std::move(schedule));
    }
    return schedules;
}

void keepCalibrationProgress(CalibrationSettings& settings, const std::string& out, const std::string& modelFile)
{
    settings.progressFile = out + ".partial";
    settings.modelIdentity = sha256OfFile(modelFile);
}

void removeCalibrationProgress(const CalibrationSettings& settings)
{
    if (settings.progressFile.empty())
        return;
    std::error_code ignored;
    std::filesystem::remove(settings.progressFile, ignored);
}

double measureScheduleDistance(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                               const SamplerSettings& sampler, const std::vector<double>& widthsByTimestep,
                               int samples, int batch, const std::atomic<bool>* cancel)
{
    requireMatchingReference(reference, extractor);
    if (samples < 2 || batch < 1)
        throw Error("a distance needs at least 2 samples and a positive batch size");
    const GaussianDiffusion diffusion(denoiser.diffusion());
    const auto recipe = makeRecipe(sampler, widthsByTimestep);
    std::vector<at::Tensor> parts;
    for (int first = 0; first < samples; first += batch)
        parts.push_back(
            sampleFeatures(denoiser, diffusion, recipe, extractor, first, std::min(batch, samples - first), cancel));
    return frechetDistance(reference, computeStats(at::cat(parts, 0)));
}

CalibrationResult calibratePredictor(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                                     const CalibrationSettings& settings, const std::string& modelName,
                                     const std::function<void(int, int)>& onProgress)
{
    if (settings.fitSchedules < 2 || settings.heldOutSchedules < 2)
        throw Error("calibration needs at least 2 schedules to fit and 2 held out");
    const int T = denoiser.diffusion().T;
    CalibrationResult result;
    PredictorCalibration layout;
    layout.T = T;
    layout.steps = settings.sampler.steps;
    layout.binEdges = equalTimestepBins(T, settings.bins);
    layout.widths = denoiser.widths();
    layout.model = modelName;
    layout.sampler = settings.sampler.toString();
    layout.samplerTag = settings.sampler.tag();
    layout.featureName = extractor.name();
    layout.reference = reference.source;
    layout.samples = settings.samples;

    const int total = settings.fitSchedules + settings.heldOutSchedules;
    const auto schedules = randomBinSchedules(layout.binEdges, layout.widths, total, settings.scheduleSeed);
    const auto start = std::chrono::steady_clock::now();
    const std::string key = progressKey(settings, layout);
    std::vector<double> distances = loadCalibrationProgress(settings.progressFile, key);
    distances.resize(std::min(distances.size(), size_t(total)));
    result.keptSchedules = int(distances.size());
    std::vector<MeasuredSchedule> fitted, heldOut;
    for (int k = 0; k < total; ++k) {
        if (size_t(k) == distances.size()) {
            try {
                distances.push_back(measureScheduleDistance(denoiser, extractor, reference, settings.sampler,
                                                            schedules[size_t(k)], settings.samples, settings.batch,
                                                            settings.cancel));
            } catch (const Cancelled&) {
                result.cancelled = true;
                result.schedulesMeasured = k;
                result.measureSeconds = secondsSince(start);
                return result;
            }
            if (!settings.progressFile.empty())
                saveCalibrationProgress(settings.progressFile, key, distances);
            if (onProgress)
                onProgress(k + 1, total);
        }
        (k < settings.fitSchedules ? fitted : heldOut).push_back({schedules[size_t(k)], distances[size_t(k)]});
    }
    result.schedulesMeasured = total;
    result.measureSeconds = secondsSince(start);
    fitAndScore(result, layout, std::move(fitted), std::move(heldOut), settings.ridge, settings.target);
    return result;
}

CalibrationResult refitPredictor(const PredictorCalibration& calibration, int bins, double ridge,
                                 const std::string& target)
{
    if (calibration.fitted.empty() || calibration.heldOut.size() < 2)
        throw Error("this calibration holds no measured schedules to refit (made before they were kept)");
    PredictorCalibration layout = calibration;
    if (bins > 0)
        layout.binEdges = equalTimestepBins(layout.T, bins);
    CalibrationResult result;
    fitAndScore(result, layout, calibration.fitted, calibration.heldOut, ridge, target);
    return result;
}

}  // namespace ddsm
