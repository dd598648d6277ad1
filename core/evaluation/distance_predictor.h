#pragma once
// Instant distance prediction for a schedule: a surrogate fitted to measured
// distances. With z = base + sum over bins b and widths w of
// penalty[b][w] * share[b][w], where share[b][w] is the fraction of the
// sampler's steps inside timestep bin b that run at width w (full width has
// no penalty), the prediction is z ("distance" target) or exp(z)
// ("log-distance": penalties multiply the distance, which fits the way
// narrowing several bins compounds). Predicting is one pass over the
// sampler's steps (microseconds), so the GUI can follow a drag. It is a
// prediction: its calibration records what it was fitted to, the measured
// schedules themselves (so it can be refitted without sampling), and how well
// it ranked schedules it never saw (Kendall tau).
#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

struct MeasuredSchedule {
    std::vector<double> widthsByTimestep;
    double distance = 0;
};

inline constexpr const char* kDistanceTarget = "distance";
inline constexpr const char* kLogDistanceTarget = "log-distance";

struct PredictorCalibration {
    int T = 0;
    int steps = 0;                // sampler steps behind the measured distances
    std::vector<int> binEdges;    // bins + 1 ascending edges, 0 .. T
    std::vector<double> widths;   // descending, widths[0] the full network
    std::string target = kDistanceTarget;  // what base + penalties add up to (see above)
    double base = 0;              // z at full width
    std::vector<std::vector<double>> penalty;  // [bin][width], penalty[b][0] = 0
    double ridge = 0;             // shrinkage the fit used (relative, per schedule)
    // Provenance: what the fit was measured with and how good it is.
    std::string model;
    std::string sampler;
    std::string samplerTag;       // base/sampler_tag.h: the sampler a prediction holds for
    std::string featureName;
    std::string reference;
    std::string estimator = "FID";
    int64_t samples = 0;          // generated samples per measured schedule
    int fittedSchedules = 0;
    double fitRmse = 0;
    int heldOutSchedules = 0;
    double heldOutKendallTau = 0; // rank agreement with measurement on unseen schedules
    double crossValidatedKendallTau = 0;  // leave-one-out over the fitted schedules (model choice)
    std::vector<MeasuredSchedule> fitted;   // the measurements behind the fit
    std::vector<MeasuredSchedule> heldOut;  // and those that only tested it

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

// Least-squares fit of base and penalties to `measured` (of log distance for
// the log-distance target); `layout` supplies T, steps, bin edges, widths and
// provenance (its target, base and penalties are replaced). `ridge` pulls
// penalties towards 0 so that bins the schedules barely vary stay finite; 0
// gives the plain least-squares solution. Throws ddsm::Error with fewer
// measured schedules than 2, or a non-positive distance for log-distance.
PredictorCalibration fitDistancePredictor(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured,
                                          double ridge = 1e-6, const std::string& target = kDistanceTarget);

// One candidate surrogate, scored by leave-one-out over the fitted schedules:
// each schedule predicted by a fit to all the others.
struct PredictorModelScore {
    std::string target;
    double ridge = 0;
    double kendallTau = 0;  // leave-one-out predictions against the measurements
    double rmse = 0;        // of those predictions, in distance units
};

// One target and ridge; needs at least 4 schedules.
PredictorModelScore scorePredictorModel(const PredictorCalibration& layout,
                                        const std::vector<MeasuredSchedule>& measured, const std::string& target,
                                        double ridge);
// Scores both targets at each ridge (best first: higher tau, then lower rmse).
std::vector<PredictorModelScore> crossValidatePredictorModels(const PredictorCalibration& layout,
                                                              const std::vector<MeasuredSchedule>& measured,
                                                              const std::vector<double>& ridges);
inline const std::vector<double> kDefaultRidges{1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0};

// Fits the best-scoring model of `crossValidatePredictorModels` and records
// its leave-one-out tau; needs at least 4 schedules. `scores`, if given,
// receives the ranking behind the choice.
PredictorCalibration fitSelectedPredictor(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured,
                                          const std::vector<double>& ridges = kDefaultRidges,
                                          std::vector<PredictorModelScore>* scores = nullptr);

// JSON: {"format": "ddsm-distance-predictor", "version": 1, ...}; the
// measured schedules as run-length segments [t_begin, t_end, width].
std::string predictorToJson(const PredictorCalibration& calibration);
// `where` names the source in error messages.
PredictorCalibration predictorFromJson(const std::string& text, const std::string& where);
void savePredictor(const std::string& path, const PredictorCalibration& calibration);
PredictorCalibration loadPredictor(const std::string& path);

}  // namespace ddsm
