#include "search/variation.h"

#include "base/error.h"

namespace ddsm {

CrossoverKind parseCrossover(const std::string& name)
{
    if (name == "uniform")
        return CrossoverKind::Uniform;
    if (name == "one-point")
        return CrossoverKind::OnePoint;
    throw Error("crossover must be \"uniform\" or \"one-point\", got \"" + name + "\"");
}

std::string toString(CrossoverKind kind)
{
    return kind == CrossoverKind::Uniform ? "uniform" : "one-point";
}

int tournament(const RankAndCrowding& rc, SearchRng& rng)
{
    const int n = int(rc.rank.size());
    const int a = rng.below(n), b = rng.below(n);
    return crowdedBetter(rc, b, a) ? b : a;
}

std::pair<Genome, Genome> crossover(const Genome& a, const Genome& b, CrossoverKind kind, SearchRng& rng)
{
    Genome c = a, d = b;
    const int genes = int(a.size());
    if (kind == CrossoverKind::Uniform) {
        for (int g = 0; g < genes; ++g)
            if (rng.chance(0.5))
                std::swap(c[g], d[g]);
    } else if (genes > 1) {
        const int cut = 1 + rng.below(genes - 1);
        for (int g = cut; g < genes; ++g)
            std::swap(c[g], d[g]);
    }
    return {c, d};
}

void mutate(Genome& genome, int widthCount, double perGene, SearchRng& rng)
{
    if (widthCount < 2 || genome.empty())
        throw Error("mutation needs at least two widths and one gene");
    auto moveGene = [&](int g) {
        const int other = rng.below(widthCount - 1);
        genome[g] = other >= genome[g] ? other + 1 : other;
    };
    bool moved = false;
    for (size_t g = 0; g < genome.size(); ++g)
        if (rng.chance(perGene)) {
            moveGene(int(g));
            moved = true;
        }
    if (!moved)
        moveGene(rng.below(int(genome.size())));
}

}  // namespace ddsm
