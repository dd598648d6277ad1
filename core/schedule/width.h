#pragma once
// Network widths: the fraction of the full network's channels that a
// sub-network uses (1.0, 0.75, 0.5, 0.25 in DDSM). Valid widths are finite and
// in (0, 1]. One check and one printed form, shared by every reader and writer.
#include <string>

namespace ddsm {

bool isValidWidth(double width);

// Throws ddsm::Error "<what> is 1.5, outside (0, 1]" (or "... is nan, not a
// finite number"); `what` names the value, e.g. "width at t = 7".
void requireValidWidth(double width, const std::string& what);

// The shortest text that reads back to the same double, always marked as a
// float: 1.0, 0.75, 0.5, 0.25, 1e-05. Python reads it as the same float.
std::string formatWidth(double width);

}  // namespace ddsm
