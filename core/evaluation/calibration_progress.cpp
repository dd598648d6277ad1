#include "evaluation/calibration_progress.h"

#include "base/atomic_file.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ddsm {

std::vector<double> loadCalibrationProgress(const std::string& path, const std::string& key)
{
    std::error_code absent;
    if (path.empty() || !std::filesystem::is_regular_file(path, absent))
        return {};
    try {
        return calibrationProgressFromJson(readWholeFile(path), key);
    } catch (const std::exception&) {
        return {};  // unreadable: measured again and rewritten
    }
}

std::vector<double> calibrationProgressFromJson(const std::string& text, const std::string& key)
{
    try {
        const auto json = nlohmann::json::parse(text);
        if (json.at("format") != kCalibrationProgressFormat || json.at("key") != nlohmann::json::parse(key))
            return {};
        std::vector<double> distances;
        for (const auto& d : json.at("distances"))
            distances.push_back(d.get<double>());
        return distances;
    } catch (const std::exception&) {
        return {};  // damaged: measured again and rewritten
    }
}

void saveCalibrationProgress(const std::string& path, const std::string& key, const std::vector<double>& distances)
{
    const nlohmann::json json{
        {"format", kCalibrationProgressFormat}, {"key", nlohmann::json::parse(key)}, {"distances", distances}};
    writeFileAtomically(path, json.dump(1) + "\n");
}

}  // namespace ddsm
