#pragma once
// The "__metadata__" of a DDSM Studio model file, checked without LibTorch:
// the format tag and version, the architecture (a net config) and the
// provenance. loadModel checks these before it builds a network.
#include "engine/net_config.h"

#include <map>
#include <string>

namespace ddsm {

inline constexpr const char* kModelFormat = "ddsm-model";
inline constexpr int kModelFormatVersion = 1;

struct ModelMetadata {
    NetConfig config;
    std::string provenanceJson;  // free-form object: how the weights were made
};

// Throws ddsm::Error naming `path` and the entry: not a model ("format"), a
// missing or newer "format_version", an "architecture" that is not a valid
// net config.
ModelMetadata readModelMetadata(const std::map<std::string, std::string>& metadata, const std::string& path);

}  // namespace ddsm
