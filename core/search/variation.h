#pragma once
// How new genomes are made: binary tournaments pick parents, crossover mixes
// two of them, mutation changes genes.
#include "search/genome.h"
#include "search/nsga2.h"
#include "search/search_rng.h"

#include <string>
#include <utility>

namespace ddsm {

enum class CrossoverKind { Uniform, OnePoint };
CrossoverKind parseCrossover(const std::string& name);  // "uniform" or "one-point"
std::string toString(CrossoverKind kind);

// Two random members; the crowded-comparison winner (the first on a tie).
int tournament(const RankAndCrowding& rc, SearchRng& rng);

// Uniform: each gene from either parent with probability 1/2 (the second
// child takes the other). One-point: a cut in 1..genes-1 swaps the tails.
std::pair<Genome, Genome> crossover(const Genome& a, const Genome& b, CrossoverKind kind, SearchRng& rng);

// Each gene, with probability `perGene`, moves to a different width index
// (uniform among the other `widthCount - 1`); if no gene moved, one random
// gene does, so the result always differs from the input (widthCount >= 2).
void mutate(Genome& genome, int widthCount, double perGene, SearchRng& rng);

}  // namespace ddsm
