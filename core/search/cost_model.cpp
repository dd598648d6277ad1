#include "search/cost_model.h"

#include "base/error.h"
#include "engine/denoiser.h"

namespace ddsm {

double CostModel::absolute(const std::vector<int>& stepWidthIndices) const
{
    double sum = 0;
    for (int i : stepWidthIndices)
        sum += perWidth.at(i);
    return sum;
}

double CostModel::relative(const std::vector<int>& stepWidthIndices) const
{
    if (perWidth.empty() || perWidth[0] <= 0 || stepWidthIndices.empty())
        throw Error("cost model: no full-width cost to compare with");
    return absolute(stepWidthIndices) / (double(stepWidthIndices.size()) * perWidth[0]);
}

CostModel flopsCostModel(const Denoiser& denoiser, const std::vector<double>& widths)
{
    CostModel model{"flops", "GFLOPs", {}};
    for (double w : widths)
        model.perWidth.push_back(2e-9 * denoiser.macsPerImage(w));
    return model;
}

}  // namespace ddsm
