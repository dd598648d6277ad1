#pragma once
// Fitting the distance predictor (evaluation/distance_predictor.h) to measured
// schedules: ridge least squares of base and penalties, and the choice of
// target and ridge by leave-one-out rank agreement.
#include "evaluation/distance_predictor.h"

#include <string>
#include <vector>

namespace ddsm {

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

}  // namespace ddsm
