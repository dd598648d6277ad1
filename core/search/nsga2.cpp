#include "search/nsga2.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace ddsm {

bool dominates(const Objectives& a, const Objectives& b)
{
    bool better = false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] > b[i])
            return false;
        if (a[i] < b[i])
            better = true;
    }
    return better;
}

std::vector<std::vector<int>> nonDominatedFronts(const std::vector<Objectives>& points)
{
    const int n = int(points.size());
    std::vector<std::vector<int>> dominated(n);  // whom i dominates
    std::vector<int> dominatorCount(n, 0);
    std::vector<std::vector<int>> fronts(1);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            if (dominates(points[i], points[j]))
                dominated[i].push_back(j);
            else if (dominates(points[j], points[i]))
                ++dominatorCount[i];
        }
        if (dominatorCount[i] == 0)
            fronts[0].push_back(i);
    }
    while (!fronts.back().empty()) {
        std::vector<int> next;
        for (int i : fronts.back())
            for (int j : dominated[i])
                if (--dominatorCount[j] == 0)
                    next.push_back(j);
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(next));
    }
    fronts.pop_back();
    return fronts;
}

std::vector<double> crowdingDistances(const std::vector<int>& front, const std::vector<Objectives>& points)
{
    const size_t m = front.size();
    std::vector<double> distance(m, 0.0);
    if (m == 0)
        return distance;
    const double inf = std::numeric_limits<double>::infinity();
    const size_t objectives = points[front[0]].size();
    std::vector<size_t> order(m);
    for (size_t k = 0; k < objectives; ++k) {
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return points[front[a]][k] < points[front[b]][k]; });
        const double low = points[front[order.front()]][k], high = points[front[order.back()]][k];
        distance[order.front()] = inf;
        distance[order.back()] = inf;
        if (high - low <= 0)
            continue;
        for (size_t i = 1; i + 1 < m; ++i)
            distance[order[i]] += (points[front[order[i + 1]]][k] - points[front[order[i - 1]]][k]) / (high - low);
    }
    return distance;
}

RankAndCrowding rankAndCrowding(const std::vector<Objectives>& points)
{
    RankAndCrowding rc;
    rc.rank.assign(points.size(), 0);
    rc.crowding.assign(points.size(), 0.0);
    const auto fronts = nonDominatedFronts(points);
    for (size_t f = 0; f < fronts.size(); ++f) {
        const auto distance = crowdingDistances(fronts[f], points);
        for (size_t i = 0; i < fronts[f].size(); ++i) {
            rc.rank[fronts[f][i]] = int(f);
            rc.crowding[fronts[f][i]] = distance[i];
        }
    }
    return rc;
}

std::vector<int> selectSurvivors(const std::vector<Objectives>& points, int count)
{
    std::vector<int> chosen;
    for (const auto& front : nonDominatedFronts(points)) {
        if (int(chosen.size()) >= count)
            break;
        if (int(chosen.size() + front.size()) <= count) {
            chosen.insert(chosen.end(), front.begin(), front.end());
            continue;
        }
        const auto distance = crowdingDistances(front, points);
        std::vector<size_t> order(front.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return distance[a] > distance[b]; });
        for (size_t i = 0; int(chosen.size()) < count; ++i)
            chosen.push_back(front[order[i]]);
    }
    return chosen;
}

bool crowdedBetter(const RankAndCrowding& rc, int a, int b)
{
    if (rc.rank[a] != rc.rank[b])
        return rc.rank[a] < rc.rank[b];
    return rc.crowding[a] > rc.crowding[b];
}

}  // namespace ddsm
