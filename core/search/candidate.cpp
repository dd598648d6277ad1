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

std::optional<Candidate> bestUnderBudget(const std::vector<Candidate>& candidates, double budget)
{
    std::optional<Candidate> best;
    for (const auto& c : candidates) {
        if (c.cost > budget + 1e-12)
            continue;
        if (!best || c.evaluation.quality < best->evaluation.quality ||
            (c.evaluation.quality == best->evaluation.quality && c.cost < best->cost))
            best = c;
    }
    return best;
}

}  // namespace ddsm
