#pragma once
// The distance predictor's calibration file (JSON, "ddsm-distance-predictor"):
// its layout, fit, provenance and the measured schedules behind it.
#include "evaluation/distance_predictor.h"

#include <string>

namespace ddsm {

// JSON: {"format": "ddsm-distance-predictor", "version": 1, ...}; the
// measured schedules as run-length segments [t_begin, t_end, width].
std::string predictorToJson(const PredictorCalibration& calibration);
// `where` names the source in error messages.
PredictorCalibration predictorFromJson(const std::string& text, const std::string& where);
void savePredictor(const std::string& path, const PredictorCalibration& calibration);
PredictorCalibration loadPredictor(const std::string& path);

}  // namespace ddsm
