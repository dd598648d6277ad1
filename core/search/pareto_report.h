#pragma once
// The search's results as files: the Pareto front as JSON and CSV, and a
// quality-versus-cost plot (PNG, drawn with OpenCV) of everything evaluated,
// the front, the budget and the chosen schedule.
#include "search/candidate.h"
#include "search/cost_model.h"
#include "search/genome.h"

#include <optional>
#include <string>
#include <vector>

namespace ddsm {

struct ParetoReport {
    std::string qualityName;          // e.g. "FID (pixels-7x7, 256 samples, seed 0)"
    CostModel cost;
    double budget = 0;
    GeneLayout layout;
    std::vector<double> widths;
    std::vector<Candidate> evaluated;
    std::vector<Candidate> front;     // ascending cost
    std::optional<Candidate> best;
};

// {"quality": ..., "cost": {...}, "budget": ..., "front": [{"genome", "step_widths",
//  "quality", "kid", "relative_cost", "absolute_cost"}, ...], "best": {...}}
void writeParetoJson(const std::string& path, const ParetoReport& report);
// One row per front member: relative_cost,absolute_cost,quality,kid,genome,step_widths
void writeParetoCsv(const std::string& path, const ParetoReport& report);
void drawParetoPlot(const std::string& path, const ParetoReport& report);

}  // namespace ddsm
