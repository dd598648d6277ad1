#pragma once
// The short name of a sampler that files measured under it carry, e.g.
// NAME-importance-ddpm100.csv: "ddim50", "ddim50-eta0.5", "ddpm100",
// "ddpm100-fixedsmall", with "-noclip" last. The seed is not part of it: a
// sidecar holds for any noise of its sampler.
#include <optional>
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

struct SamplerTagParts {
    std::string kind;
    int steps = 0;
    double eta = 0;
    std::string variance = "fixedlarge";
    bool clipX0 = true;
};

// The settings a tag names (what samplerTag wrote), or nothing for text it
// cannot have written.
inline std::optional<SamplerTagParts> parseSamplerTag(const std::string& tag)
{
    SamplerTagParts parts;
    size_t at = 0;
    while (at < tag.size() && tag[at] >= 'a' && tag[at] <= 'z')
        ++at;
    parts.kind = tag.substr(0, at);
    if (parts.kind != "ddim" && parts.kind != "ddpm")
        return std::nullopt;
    const size_t digits = at;
    while (at < tag.size() && tag[at] >= '0' && tag[at] <= '9')
        ++at;
    if (at == digits || at - digits > 6)
        return std::nullopt;
    parts.steps = std::stoi(tag.substr(digits, at - digits));
    std::string rest = tag.substr(at);
    const std::string noclip = "-noclip";
    if (rest.size() >= noclip.size() && rest.compare(rest.size() - noclip.size(), noclip.size(), noclip) == 0) {
        parts.clipX0 = false;
        rest.erase(rest.size() - noclip.size());
    }
    if (parts.kind == "ddim" && rest.rfind("-eta", 0) == 0) {
        std::istringstream in(rest.substr(4));
        if (!(in >> parts.eta) || !in.eof())
            return std::nullopt;
    } else if (parts.kind == "ddpm" && rest == "-fixedsmall") {
        parts.variance = "fixedsmall";
    } else if (!rest.empty()) {
        return std::nullopt;
    }
    // Only what samplerTag itself writes: "ddim50-eta0" or "ddpm100-fixedlarge" are not tags.
    if (samplerTag(parts.kind, parts.steps, parts.eta, parts.variance, parts.clipX0) != tag)
        return std::nullopt;
    return parts;
}

}  // namespace ddsm
