#pragma once
// A scored genome, and the two questions asked of a set of them: which are
// Pareto optimal in (quality, cost), and which is best within a budget.
#include "search/evaluator.h"
#include "search/nsga2.h"

#include <optional>
#include <vector>

namespace ddsm {

struct Candidate {
    Genome genome;
    Evaluation evaluation;
    double cost = 0;  // relative to full width (see cost_model.h)

    Objectives objectives() const { return {evaluation.quality, cost}; }
};

// Non-dominated candidates, by ascending cost (equal points appear once).
std::vector<Candidate> paretoFront(const std::vector<Candidate>& candidates);

// Lowest quality with cost <= budget (lower cost breaks ties); none if every
// candidate is over budget.
std::optional<Candidate> bestUnderBudget(const std::vector<Candidate>& candidates, double budget);
// The `count` best with cost <= budget in that order (fewer if fewer are within it).
std::vector<Candidate> bestUnderBudget(const std::vector<Candidate>& candidates, double budget, size_t count);

}  // namespace ddsm
