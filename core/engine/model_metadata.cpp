#include "engine/model_metadata.h"

#include "base/error.h"

#include <nlohmann/json.hpp>

namespace ddsm {

namespace {

nlohmann::json parseMetadataJson(const std::map<std::string, std::string>& metadata, const std::string& key,
                                 const std::string& path)
{
    const auto it = metadata.find(key);
    if (it == metadata.end())
        throw Error(path + ": metadata has no \"" + key + "\" entry (not a DDSM Studio model file?)");
    try {
        return nlohmann::json::parse(it->second);
    } catch (const nlohmann::json::exception&) {
        throw Error(path + ": metadata \"" + key + "\" is not valid JSON");
    }
}

}  // namespace

ModelMetadata readModelMetadata(const std::map<std::string, std::string>& metadata, const std::string& path)
{
    const auto format = metadata.find("format");
    if (format == metadata.end() || format->second != kModelFormat)
        throw Error(path + ": not a DDSM Studio model (metadata \"format\" is " +
                    (format == metadata.end() ? std::string("missing") : "\"" + format->second + "\"") +
                    ", expected \"" + kModelFormat + "\")");
    const auto version = metadata.find("format_version");
    int versionNumber = 0;
    try {
        versionNumber = version == metadata.end() ? 0 : std::stoi(version->second);
    } catch (const std::exception&) {
    }
    if (versionNumber < 1)
        throw Error(path + ": metadata \"format_version\" is missing or not a number");
    if (versionNumber > kModelFormatVersion)
        throw Error(path + ": model format version " + std::to_string(versionNumber) +
                    " is newer than this program reads (" + std::to_string(kModelFormatVersion) + ")");

    ModelMetadata model;
    model.config = netConfigFromJson(parseMetadataJson(metadata, "architecture", path), path + " architecture");
    model.provenanceJson = metadata.count("provenance") ? metadata.at("provenance") : "{}";
    return model;
}

}  // namespace ddsm
