#include "search/genome.h"

#include "base/error.h"

#include <cmath>

namespace ddsm {

GeneLayout GeneLayout::perStep(int steps)
{
    if (steps < 1)
        throw Error("gene layout: steps must be at least 1, got " + std::to_string(steps));
    GeneLayout layout;
    layout.genes_ = steps;
    for (int s = 0; s < steps; ++s)
        layout.stepToGene_.push_back(s);
    return layout;
}

GeneLayout GeneLayout::binned(int steps, int bins)
{
    if (steps < 1 || bins < 1 || bins > steps)
        throw Error("gene layout: bins must be in 1.." + std::to_string(steps) + ", got " + std::to_string(bins));
    GeneLayout layout;
    layout.genes_ = bins;
    layout.binnedLayout_ = true;
    const int base = steps / bins, longer = steps % bins;
    for (int b = 0; b < bins; ++b)
        for (int i = 0; i < base + (b < longer ? 1 : 0); ++i)
            layout.stepToGene_.push_back(b);
    return layout;
}

GeneLayout GeneLayout::parse(const std::string& granularity, int steps)
{
    if (granularity == "steps")
        return perStep(steps);
    if (granularity.rfind("bins:", 0) == 0) {
        const std::string count = granularity.substr(5);
        try {
            size_t used = 0;
            const int bins = std::stoi(count, &used);
            if (used == count.size())
                return binned(steps, bins);
        } catch (const std::logic_error&) {
        }
    }
    throw Error("granularity must be \"steps\" or \"bins:K\", got \"" + granularity + "\"");
}

std::string GeneLayout::description() const
{
    return binnedLayout_ ? "bins:" + std::to_string(genes_) : "steps";
}

std::vector<int> GeneLayout::expand(const Genome& genome) const
{
    if (int(genome.size()) != genes_)
        throw Error("genome has " + std::to_string(genome.size()) + " genes, the layout " + std::to_string(genes_));
    std::vector<int> out(stepToGene_.size());
    for (size_t s = 0; s < stepToGene_.size(); ++s)
        out[s] = genome[stepToGene_[s]];
    return out;
}

Genome GeneLayout::fromStepWidths(const std::vector<double>& stepWidths, const std::vector<double>& widths) const
{
    if (stepWidths.size() != stepToGene_.size())
        throw Error("schedule has " + std::to_string(stepWidths.size()) + " steps, the search " +
                    std::to_string(stepToGene_.size()));
    std::vector<double> sum(genes_, 0.0);
    std::vector<int> count(genes_, 0);
    for (size_t s = 0; s < stepWidths.size(); ++s) {
        sum[stepToGene_[s]] += stepWidths[s];
        ++count[stepToGene_[s]];
    }
    Genome genome(genes_, 0);
    for (int g = 0; g < genes_; ++g) {
        const double mean = sum[g] / count[g];
        for (size_t i = 1; i < widths.size(); ++i)
            if (std::abs(widths[i] - mean) < std::abs(widths[genome[g]] - mean) - 1e-12)
                genome[g] = int(i);
    }
    return genome;
}

std::vector<double> widthsOf(const std::vector<int>& indices, const std::vector<double>& widths)
{
    std::vector<double> out;
    out.reserve(indices.size());
    for (int i : indices)
        out.push_back(widths.at(i));
    return out;
}

std::string genomeKey(const std::vector<int>& genome)
{
    std::string key;
    key.reserve(genome.size());
    for (int g : genome)
        key.push_back(char('0' + g));
    return key;
}

}  // namespace ddsm
