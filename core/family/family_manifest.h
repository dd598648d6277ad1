#pragma once
// A model family: separately trained denoisers of different size (like
// OMS-DPM's model zoo or T-Stitch's small + large pair), each a TorchScript
// file, described by a versioned, self-describing JSON manifest. Torch-free,
// so the GUI can list a family without loading it.
//
// {
//   "format": "ddsm-family", "version": 1,
//   "name": "cifar10-zoo",
//   "image_size": 32, "channels": 3,
//   "timestep_dtype": "int64",            optional: "int64" (default) or "float32"
//   "diffusion": {"T": 1000, "beta_schedule": "linear", "beta_start": 0.0001,
//                 "beta_end": 0.02, "prediction": "epsilon"},
//   "members": [
//     {"name": "ddpm-large", "file": "large.pt", "width": 1.0},
//     {"name": "ddpm-small", "file": "small.pt", "width": 0.5,
//      "macs": 1.2e9, "description": "ch 64"}       "macs", "description" optional
//   ]
// }
//
// Each member's TorchScript module runs forward(x [B,C,H,W] float, t [B]) -> eps
// [B,C,H,W]. "width" is the key a step-aware schedule uses for the member: the
// largest is 1.0, the full network. "file" is relative to the manifest. "macs"
// (multiply-accumulates per image) is used only when the cost cannot be counted.
#include "engine/net_config.h"

#include <optional>
#include <string>
#include <vector>

namespace ddsm {

inline constexpr const char* kFamilyFormat = "ddsm-family";
inline constexpr int kFamilyFormatVersion = 1;

struct FamilyMemberSpec {
    std::string name;
    std::string file;  // as written in the manifest
    std::string path;  // resolved against the manifest's folder
    double width = 1.0;
    std::optional<double> macs;
    std::string description;
};

struct FamilyManifest {
    std::string path;
    std::string name;
    int imageSize = 0;
    int channels = 0;
    std::string timestepDtype = "int64";
    DiffusionConfig diffusion;
    std::vector<FamilyMemberSpec> members;  // sorted by width, descending
};

// Parses and validates: format and version, every field's type and range,
// member names and widths unique, the largest width 1.0, no unknown fields
// (a typo is an error, not a silent default). Does not touch member files.
// Errors name `manifestPath`, the member and the field.
FamilyManifest parseFamilyManifest(const std::string& text, const std::string& manifestPath);
FamilyManifest loadFamilyManifest(const std::string& manifestPath);

// Whether `text` is JSON with "format": "ddsm-family" (cheap dispatch test).
bool looksLikeFamilyManifest(const std::string& text);

}  // namespace ddsm
