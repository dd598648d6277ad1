#pragma once
// Instant distance prediction for a schedule: a linear surrogate fitted to
// measured distances,
//   predicted = base + sum over bins b and widths w of  penalty[b][w] * share[b][w],
// where share[b][w] is the fraction of the sampler's steps inside timestep bin
// b that run at width w (full width has no penalty). Predicting is one pass
// over the sampler's steps (microseconds), so the GUI can follow a drag. It
// is a prediction: its calibration records what it was fitted to and how
// well it ranked schedules it never saw (Kendall tau).
#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

struct PredictorCalibration {
    int T = 0;
    int steps = 0;                // sampler steps behind the measured distances
    std::vector<int> binEdges;    // bins + 1 ascending edges, 0 .. T
    std::vector<double> widths;   // descending, widths[0] the full network
    double base = 0;              // predicted distance at full width
    std::vector<std::vector<double>> penalty;  // [bin][width], penalty[b][0] = 0
    // Provenance: what the fit was measured with and how good it is.
    std::string model;
    std::string sampler;
    std::string featureName;
    std::string reference;
    std::string estimator = "FID";
    int64_t samples = 0;          // generated samples per measured schedule
    int fittedSchedules = 0;
    double fitRmse = 0;
    int heldOutSchedules = 0;
    double heldOutKendallTau = 0; // rank agreement with measurement on unseen schedules

    int bins() const { return int(binEdges.size()) - 1; }
};

class DistancePredictor {
public:
    // Throws ddsm::Error for an inconsistent calibration.
    explicit DistancePredictor(PredictorCalibration calibration);

    // widthsByTimestep: a schedule on the training axis (index t, size T).
    // Widths between the calibrated ones count as the nearest one.
    double predict(const std::vector<double>& widthsByTimestep) const;

    // share[b][w] as defined above, flattened b-major over the narrow widths
    // (w = 1 .. W-1): the regression inputs of `fitDistancePredictor`.
    std::vector<double> shares(const std::vector<double>& widthsByTimestep) const;

    const PredictorCalibration& calibration() const { return calibration_; }

private:
    PredictorCalibration calibration_;
    std::vector<int> stepBin_;       // bin of each sampler step
    std::vector<int> stepsInBin_;    // sampler steps per bin
    std::vector<int> timesteps_;     // sampler steps, denoising order
};

struct MeasuredSchedule {
    std::vector<double> widthsByTimestep;
    double distance = 0;
};

// Least-squares fit of base and penalties to `measured`; `layout` supplies T,
// steps, bin edges, widths and provenance (its base and penalties are
// replaced). `ridge` pulls penalties towards 0 so that bins the schedules
// barely vary stay finite; 0 gives the plain least-squares solution.
// Throws ddsm::Error with fewer measured schedules than 2.
PredictorCalibration fitDistancePredictor(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured,
                                          double ridge = 1e-6);

// JSON: {"format": "ddsm-distance-predictor", "version": 1, ...}.
std::string predictorToJson(const PredictorCalibration& calibration);
// `where` names the source in error messages.
PredictorCalibration predictorFromJson(const std::string& text, const std::string& where);
void savePredictor(const std::string& path, const PredictorCalibration& calibration);
PredictorCalibration loadPredictor(const std::string& path);

}  // namespace ddsm
