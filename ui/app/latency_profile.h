#pragma once
// Measured time of one forward pass per image at each width, and what it
// predicts for a whole schedule. Pure arithmetic, safe on every edit.
#include <map>
#include <optional>
#include <vector>

namespace ddsm::ui {

struct LatencyProfile {
    std::map<double, double> msPerImageStep;  // width -> median milliseconds per image and step
    int batch = 0;                            // images per timed call
    int repeats = 0;                          // timed calls per width (after warm-up)
    int threads = 0;

    bool empty() const { return msPerImageStep.empty(); }
    std::optional<double> msAt(double width) const;
};

// Milliseconds per image for a trajectory with these step widths, or nothing
// if a width was not measured.
std::optional<double> predictedMsPerImage(const LatencyProfile& profile, const std::vector<double>& stepWidths);

}  // namespace ddsm::ui
