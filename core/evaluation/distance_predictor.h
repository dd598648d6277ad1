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

}  // namespace ddsm
