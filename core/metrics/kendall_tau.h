#pragma once
// Kendall's rank correlation tau-b (ties handled as scipy.stats.kendalltau):
//   tau_b = (C - D) / sqrt((n0 - n1) (n0 - n2)),
// C / D concordant / discordant pairs, n0 = n(n-1)/2, n1 / n2 pairs tied in
// x / y. 1: same order, -1: reversed. O(n^2), meant for tens to thousands.
#include <vector>

namespace ddsm {

// Throws ddsm::Error for sizes that differ, fewer than 2 values, or a
// constant sequence (tau undefined).
double kendallTau(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace ddsm
