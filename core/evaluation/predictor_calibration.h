#pragma once
// Calibrating the distance predictor on a model: measure the distance of
// random schedules (all from the same seeded noise, so they differ only by
// the schedule), fit on some, and rank the rest to report Kendall tau.
#include "evaluation/predictor_fit.h"
#include "engine/sampler.h"
#include "metrics/gaussian_stats.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ddsm {

class Denoiser;
class FeatureExtractor;

// `count` schedules on the training axis: each picks a share p uniform in
// [0, 1], then every bin runs at full width with probability p and otherwise
// at a narrow width chosen uniformly, so costs spread from cheap to full.
// The first schedule is always full width. Seeded (std::mt19937_64).
std::vector<std::vector<double>> randomBinSchedules(const std::vector<int>& binEdges,
                                                    const std::vector<double>& widths, int count, uint64_t seed);

struct CalibrationSettings {
    int bins = 8;
    int fitSchedules = 40;
    int heldOutSchedules = 20;
    int samples = 500;       // generated images per schedule
    int batch = 250;
    SamplerSettings sampler; // steps and seed of every measurement
    uint64_t scheduleSeed = 1;
    double ridge = -1;       // < 0: target and ridge chosen by leave-one-out over the fitted schedules
    std::string target = kDistanceTarget;  // with ridge >= 0
    // Keeps the distances measured so far in this file (calibration_progress.h)
    // and goes on from those it holds for the same settings; the caller
    // removes it once the calibration is saved. Empty: nothing kept.
    std::string progressFile;
    std::string modelIdentity;  // with progressFile: the model file's sha256, part of the settings' key
    const std::atomic<bool>* cancel = nullptr;  // checked before every network call
};

struct CalibrationResult {
    PredictorCalibration calibration;  // includes the held-out Kendall tau and the measurements
    std::vector<double> heldOutPredicted;  // for calibration.heldOut
    std::vector<PredictorModelScore> modelScores;  // leave-one-out ranking behind the model (best first)
    double measureSeconds = 0;  // sampling and feature extraction of the schedules this call measured
    int keptSchedules = 0;      // distances taken from the progress file instead
    double predictMicroseconds = 0;  // mean time of one prediction
    // Cancelled: no calibration; `schedulesMeasured` distances (kept ones
    // included) are in the progress file, when there is one.
    bool cancelled = false;
    int schedulesMeasured = 0;
};

// Keeps the distances of a calibration written to `out` in OUT.partial, keyed
// by `modelFile`'s sha256; removeCalibrationProgress deletes that file once the
// calibration is saved (a leftover is harmless: other settings measure again).
void keepCalibrationProgress(CalibrationSettings& settings, const std::string& out, const std::string& modelFile);
void removeCalibrationProgress(const CalibrationSettings& settings);

// Distance (FID, no interval) of `samples` images under a schedule. Throws
// Cancelled when `cancel` is set before a network call.
double measureScheduleDistance(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                               const SamplerSettings& sampler, const std::vector<double>& widthsByTimestep,
                               int samples, int batch, const std::atomic<bool>* cancel = nullptr);

// `modelName` labels the calibration. `onProgress(done, total)` after each schedule.
// A cancelled calibration returns with `cancelled` set and no fit.
// The calibration keeps the measurements, for `refitPredictor`.
CalibrationResult calibratePredictor(Denoiser& denoiser, FeatureExtractor& extractor, const GaussianStats& reference,
                                     const CalibrationSettings& settings, const std::string& modelName,
                                     const std::function<void(int, int)>& onProgress = {});

// Fits again to the measurements a calibration holds (no sampling): the model
// chosen by leave-one-out, or `ridge` >= 0 on `target`; `bins` > 0 re-bins the
// timestep axis. Scores the held-out measurements again.
CalibrationResult refitPredictor(const PredictorCalibration& calibration, int bins = 0, double ridge = -1,
                                 const std::string& target = kDistanceTarget);

}  // namespace ddsm
