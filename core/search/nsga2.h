#pragma once
// The two sorting steps of NSGA-II (Deb et al. 2002), on objective vectors
// that are all minimised: fast non-dominated sorting into fronts, and the
// crowding distance that prefers lonely points within a front.
#include <vector>

namespace ddsm {

using Objectives = std::vector<double>;

// a dominates b: no worse in every objective and better in at least one.
bool dominates(const Objectives& a, const Objectives& b);

// Indices of the candidates front by front: front 0 is dominated by no one,
// front k only by members of fronts < k. Within a front, indices ascend.
std::vector<std::vector<int>> nonDominatedFronts(const std::vector<Objectives>& points);

// Crowding distance of each member of `front` (aligned with it): per
// objective, the gap between a member's two neighbours in sorted order,
// divided by that objective's range in the front, summed over objectives.
// The extremes of every objective get +infinity; an objective with zero range
// adds nothing. Equal values keep index order, so the result is deterministic.
std::vector<double> crowdingDistances(const std::vector<int>& front, const std::vector<Objectives>& points);

// Rank (front number) and crowding distance of every candidate.
struct RankAndCrowding {
    std::vector<int> rank;
    std::vector<double> crowding;
};
RankAndCrowding rankAndCrowding(const std::vector<Objectives>& points);

// NSGA-II environmental selection: whole fronts while they fit, then the
// most crowding-distant members of the next front. Returns `count` indices
// (all of them if there are fewer points), best first.
std::vector<int> selectSurvivors(const std::vector<Objectives>& points, int count);

// (rank, crowding) comparison used by tournaments: lower rank wins, then
// larger crowding distance.
bool crowdedBetter(const RankAndCrowding& rc, int a, int b);

}  // namespace ddsm
