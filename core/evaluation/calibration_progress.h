#pragma once
// The distances a predictor calibration has measured so far, kept beside its
// output after every schedule, so an interrupted `ddsm predictor fit` goes on
// where it stopped (a wide model's DDPM 100 calibration samples for over an
// hour). The schedules follow from the settings, so the file holds the
// settings' key and the distances in schedule order:
//   {"format": "ddsm-predictor-progress", "key": {...}, "distances": [...]}
#include <string>
#include <vector>

namespace ddsm {

inline constexpr const char* kCalibrationProgressFormat = "ddsm-predictor-progress";

// The distances kept at `path` for `key` (a JSON object's text); none when the
// file is absent, unreadable or was written for other settings: those are
// measured again, the file being only a cache of the run's own work.
std::vector<double> loadCalibrationProgress(const std::string& path, const std::string& key);
// The same for the file's text; never throws.
std::vector<double> calibrationProgressFromJson(const std::string& text, const std::string& key);

// Written atomically: an interruption leaves the previous list whole.
void saveCalibrationProgress(const std::string& path, const std::string& key, const std::vector<double>& distances);

}  // namespace ddsm
