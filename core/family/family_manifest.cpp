#include "family/family_manifest.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

namespace ddsm {

namespace {

using nlohmann::json;

// The manifest's own rules (non-empty names, bounded sizes, no unknown
// fields) on top of the shared checked reader, which names file and field.
class FieldReader {
public:
    FieldReader(const json& object, std::string where) : object_(object), in_(std::move(where)) {}

    const json* find(const char* field) const { return in_.find(object_, field); }
    const json& need(const char* field) const { return in_.require(object_, "", field); }

    std::string string(const char* field) const
    {
        std::string value = in_.get<std::string>(object_, "", field);
        if (value.empty())
            fail(field, "must be a non-empty string");
        return value;
    }

    int positiveInt(const char* field) const
    {
        return static_cast<int>(in_.integerIn(need(field), field, 1, 1 << 20, "a positive integer (at most 1048576)"));
    }

    double number(const char* field) const { return in_.get<double>(object_, "", field); }

    void onlyFields(const std::set<std::string>& known) const
    {
        for (const auto& item : object_.items())
            if (!known.count(item.key()))
                in_.fail("unknown field \"" + item.key() + "\"");
    }

    [[noreturn]] void fail(const char* field, const std::string& problem) const { in_.failField(field, problem); }

private:
    const json& object_;
    JsonFields in_;
};

DiffusionConfig readDiffusion(const json& value, const std::string& where)
{
    if (!value.is_object())
        throw Error(where + ": field \"diffusion\" must be an object");
    const FieldReader fields(value, where + " diffusion");
    fields.onlyFields({"T", "beta_schedule", "beta_start", "beta_end", "prediction"});
    DiffusionConfig c;
    c.T = fields.positiveInt("T");
    c.betaSchedule = fields.string("beta_schedule");
    c.prediction = fields.string("prediction");
    if (c.T < 2)
        fields.fail("T", "must be at least 2");
    if (c.betaSchedule != "linear" && c.betaSchedule != "cosine")
        fields.fail("beta_schedule", "must be \"linear\" or \"cosine\"");
    if (c.betaSchedule == "linear") {
        c.betaStart = fields.number("beta_start");
        c.betaEnd = fields.number("beta_end");
        if (!(c.betaStart > 0 && c.betaStart <= c.betaEnd && c.betaEnd < 1))
            fields.fail("beta_end", "and \"beta_start\" must satisfy 0 < beta_start <= beta_end < 1");
    }
    if (c.prediction != "epsilon")
        fields.fail("prediction", "must be \"epsilon\" (the only prediction type the sampler runs)");
    return c;
}

FamilyMemberSpec readMember(const json& value, size_t index, const std::filesystem::path& folder,
                            const std::string& manifestPath)
{
    std::string where = manifestPath + ": member " + std::to_string(index);
    if (!value.is_object())
        throw Error(where + " must be an object");
    if (value.contains("name") && value["name"].is_string())
        where += " (\"" + value["name"].get<std::string>() + "\")";
    const FieldReader fields(value, where);
    fields.onlyFields({"name", "file", "width", "macs", "description"});
    FamilyMemberSpec member;
    member.name = fields.string("name");
    member.file = fields.string("file");
    member.path = (folder / member.file).lexically_normal().string();
    member.width = fields.number("width");
    if (!(member.width > 0 && member.width <= 1))
        fields.fail("width", "must be in (0, 1] (1.0 is the family's largest network)");
    if (fields.find("macs")) {
        member.macs = fields.number("macs");
        if (!(*member.macs > 0))
            fields.fail("macs", "must be positive (multiply-accumulates per image)");
    }
    if (fields.find("description"))
        member.description = fields.string("description");
    return member;
}

}  // namespace

FamilyManifest parseFamilyManifest(const std::string& text, const std::string& manifestPath)
{
    const json root = parseJson(text, manifestPath);
    if (!root.is_object())
        throw Error(manifestPath + ": a family manifest must be a JSON object");
    const FieldReader fields(root, manifestPath);
    if (fields.string("format") != kFamilyFormat)
        fields.fail("format", "must be \"" + std::string(kFamilyFormat) + "\"");
    const int version = fields.positiveInt("version");
    if (version > kFamilyFormatVersion)
        throw Error(manifestPath + ": family manifest version " + std::to_string(version) +
                    " is newer than this program reads (" + std::to_string(kFamilyFormatVersion) + ")");
    fields.onlyFields({"format", "version", "name", "image_size", "channels", "timestep_dtype", "diffusion", "members"});

    FamilyManifest manifest;
    manifest.path = manifestPath;
    manifest.name = fields.string("name");
    manifest.imageSize = fields.positiveInt("image_size");
    manifest.channels = fields.positiveInt("channels");
    if (fields.find("timestep_dtype")) {
        manifest.timestepDtype = fields.string("timestep_dtype");
        if (manifest.timestepDtype != "int64" && manifest.timestepDtype != "float32")
            fields.fail("timestep_dtype", "must be \"int64\" or \"float32\"");
    }
    manifest.diffusion = readDiffusion(fields.need("diffusion"), manifestPath);

    const json& members = fields.need("members");
    if (!members.is_array() || members.empty())
        fields.fail("members", "must be a non-empty array");
    const auto folder = std::filesystem::path(manifestPath).parent_path();
    for (size_t i = 0; i < members.size(); ++i) {
        FamilyMemberSpec member = readMember(members[i], i, folder, manifestPath);
        for (const auto& other : manifest.members) {
            if (other.name == member.name)
                throw Error(manifestPath + ": two members are named \"" + member.name + "\"");
            if (std::abs(other.width - member.width) < 1e-9)
                throw Error(manifestPath + ": members \"" + other.name + "\" and \"" + member.name +
                            "\" have the same width " + std::to_string(member.width));
        }
        manifest.members.push_back(std::move(member));
    }
    std::sort(manifest.members.begin(), manifest.members.end(),
              [](const auto& a, const auto& b) { return a.width > b.width; });
    if (manifest.members.front().width != 1.0)
        throw Error(manifestPath + ": the largest member (\"" + manifest.members.front().name + "\") must have width 1.0");
    return manifest;
}

FamilyManifest loadFamilyManifest(const std::string& manifestPath)
{
    return parseFamilyManifest(readWholeFile(manifestPath), manifestPath);
}

bool looksLikeFamilyManifest(const std::string& text)
{
    const json root = json::parse(text, nullptr, false);
    return root.is_object() && root.contains("format") && root["format"] == kFamilyFormat;
}

}  // namespace ddsm
