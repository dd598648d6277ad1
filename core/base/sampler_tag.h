#pragma once
// The short name of a sampler that files measured under it carry, e.g.
// NAME-importance-ddpm100.csv: "ddim50", "ddim50-eta0.5", "ddpm100",
// "ddpm100-fixedsmall", with "-noclip" last. The seed is not part of it: a
// sidecar holds for any noise of its sampler.
#include <sstream>
#include <string>

namespace ddsm {

inline std::string samplerTag(const std::string& kind, int steps, double eta, const std::string& variance = "fixedlarge",
                              bool clipX0 = true)
{
    std::ostringstream out;
    out << kind << steps;
    if (kind == "ddim" && eta != 0)
        out << "-eta" << eta;
    if (kind == "ddpm" && variance != "fixedlarge")
        out << "-" << variance;
    if (!clipX0)
        out << "-noclip";
    return out.str();
}

}  // namespace ddsm
