#pragma once
// A Denoiser made of separately trained TorchScript networks, one per width
// key (family_manifest.h). The sampler, metrics, search and GUI treat it as a
// slimmable model: a schedule's width picks the member that runs at that step.
#include "engine/denoiser.h"
#include "family/family_manifest.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace ddsm {

// Where one width comes from, for display (the Model dock) and reports.
struct FamilyMemberInfo {
    std::string name;
    std::string file;  // as written in the manifest
    std::string path;  // resolved
    std::string description;
    double width = 1.0;
    double macsPerImage = 0;
    std::string costSource;  // "counted" (observed in a forward pass) or "manifest"
    int64_t parameters = 0;
};

class FamilyDenoiser : public Denoiser {
public:
    // Loads every member and checks it before returning: the file exists and is
    // TorchScript, forward on a dummy batch [2, C, H, W] (t = T-1 and 0) runs and
    // returns that shape, finite; the cost is counted during that pass (or taken
    // from the manifest if no counted op ran). Any failure is one ddsm::Error
    // naming the manifest and the member, and nothing stays loaded.
    static std::shared_ptr<FamilyDenoiser> open(const std::string& manifestPath, c10::Device device);
    ~FamilyDenoiser() override;

    at::Tensor predictEps(const at::Tensor& x, const at::Tensor& t, double width) override;
    std::vector<double> widths() const override;
    int imageSize() const override { return manifest_.imageSize; }
    int channels() const override { return manifest_.channels; }
    const DiffusionConfig& diffusion() const override { return manifest_.diffusion; }
    double macsPerImage(double width) const override { return member(width).macsPerImage; }
    std::string name() const override { return manifest_.name; }
    c10::Device device() const override { return device_; }

    const FamilyManifest& manifest() const { return manifest_; }
    // Sorted by width, descending.
    const std::vector<FamilyMemberInfo>& members() const { return infos_; }
    // Throws ddsm::Error listing the family's widths when none matches.
    const FamilyMemberInfo& member(double width) const;
    // "width 0.5: member "small" (small.pt, 12.3k parameters), 1.18 MMACs/image (counted)".
    std::string describeWidth(double width) const;

private:
    FamilyDenoiser(FamilyManifest manifest, std::vector<std::shared_ptr<torch::jit::Module>> modules,
                   std::vector<FamilyMemberInfo> infos, c10::Device device);
    size_t indexOf(double width) const;

    FamilyManifest manifest_;
    std::vector<std::shared_ptr<torch::jit::Module>> modules_;
    std::vector<FamilyMemberInfo> infos_;
    c10::Device device_;
};

}  // namespace ddsm
