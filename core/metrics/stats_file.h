#pragma once
// Reference statistics files: numpy .npz archives in pytorch-fid's layout, so
// pytorch-fid and numpy.load read ours and we read theirs.
//   mu            [D]     float64
//   sigma         [D, D]  float64
//   count         ()      int64     samples behind the statistics
//   feature_name  ()      unicode   feature network
//   source        ()      unicode   what was measured
// Only mu and sigma are required when reading (pytorch-fid files have no more).
#include "metrics/gaussian_stats.h"

#include <string>

namespace ddsm {

// Writes atomically (a crash leaves any previous file whole). Throws
// ddsm::Error naming the path.
void saveStatsNpz(const std::string& path, const GaussianStats& stats);

// Reads mu and sigma as float64, and the optional fields; a file without a
// source takes its file name (without .npz) as source. Throws ddsm::Error
// naming the path and the problem: not a ZIP, truncated or corrupt archive,
// missing mu or sigma, shapes that do not match, unsupported dtype or order.
GaussianStats loadStatsNpz(const std::string& path);

}  // namespace ddsm
