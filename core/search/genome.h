#pragma once
// What the search varies: a genome holds one width index per gene (0 = the
// widest network, widths ordered as the model lists them, descending). A gene
// covers one sampler step or one bin of consecutive steps.
//
// Steps run in denoising order: step 0 is the noisiest (t = T-1), the last
// step ends at the clean image (t = 0), as in engine/sampler.h.
#include <string>
#include <vector>

namespace ddsm {

using Genome = std::vector<int>;

// Which gene each sampler step reads.
class GeneLayout {
public:
    GeneLayout() = default;
    // One gene per step.
    static GeneLayout perStep(int steps);
    // `bins` genes over `steps` steps, contiguous and as even as possible
    // (the first steps % bins bins are one step longer). 1 <= bins <= steps.
    static GeneLayout binned(int steps, int bins);
    // "steps" or "bins:K". Throws ddsm::Error for anything else.
    static GeneLayout parse(const std::string& granularity, int steps);

    int steps() const { return int(stepToGene_.size()); }
    int genes() const { return genes_; }
    int geneOfStep(int step) const { return stepToGene_.at(step); }
    std::string description() const;  // "steps" or "bins:K"

    // Width index of every sampler step.
    std::vector<int> expand(const Genome& genome) const;
    // The genome closest to per-step widths: each gene takes the available
    // width nearest to the mean width of its steps (ties go to the wider one).
    Genome fromStepWidths(const std::vector<double>& stepWidths, const std::vector<double>& widths) const;

    friend bool operator==(const GeneLayout& a, const GeneLayout& b)
    {
        return a.genes_ == b.genes_ && a.stepToGene_ == b.stepToGene_;
    }

private:
    int genes_ = 0;
    bool binnedLayout_ = false;
    std::vector<int> stepToGene_;
};

// Width values of width indices.
std::vector<double> widthsOf(const std::vector<int>& indices, const std::vector<double>& widths);

// Compact printable form, one character per gene ('0' = widest), for keys and logs.
std::string genomeKey(const std::vector<int>& genome);

}  // namespace ddsm
