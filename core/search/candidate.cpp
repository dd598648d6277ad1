#include "search/candidate.h"

#include <algorithm>

namespace ddsm {

std::vector<Candidate> paretoFront(const std::vector<Candidate>& candidates)
{
    std::vector<Candidate> sorted = candidates;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Candidate& a, const Candidate& b) {
        return a.cost != b.cost ? a.cost < b.cost : a.evaluation.quality < b.evaluation.quality;
    });
    std::vector<Candidate> front;
    for (const auto& c : sorted)
        if (front.empty() || c.evaluation.quality < front.back().evaluation.quality)
            front.push_back(c);
    return front;
}

std::vector<Candidate> bestUnderBudget(const std::vector<Candidate>& candidates, double budget, size_t count)
{
    std::vector<Candidate> within;
    for (const auto& c : candidates)
        if (c.cost <= budget + 1e-12)
            within.push_back(c);
    std::stable_sort(within.begin(), within.end(), [](const Candidate& a, const Candidate& b) {
        return a.evaluation.quality < b.evaluation.quality ||
               (a.evaluation.quality == b.evaluation.quality && a.cost < b.cost);
    });
    within.resize(std::min(count, within.size()));
    return within;
}

std::optional<Candidate> bestUnderBudget(const std::vector<Candidate>& candidates, double budget)
{
    const auto best = bestUnderBudget(candidates, budget, 1);
    return best.empty() ? std::nullopt : std::optional<Candidate>(best.front());
}

}  // namespace ddsm
