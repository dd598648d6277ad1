#include "engine/net_config.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace ddsm {

namespace {

using nlohmann::json;

template <typename T>
T field(const json& object, const char* name, const T& fallback, const std::string& where)
{
    const auto it = object.find(name);
    if (it == object.end())
        return fallback;
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        throw Error(where + ": field \"" + name + "\" has the wrong type (" + it->dump() + ")");
    }
}

void require(bool ok, const std::string& message)
{
    if (!ok)
        throw Error(message);
}

}  // namespace

void NetConfig::validate() const
{
    require(imageSize >= 4, "net config: \"image_size\" must be at least 4");
    require(channels == 1 || channels == 3, "net config: \"channels\" must be 1 or 3");
    require(baseChannels > 0 && baseChannels % divisor == 0,
            "net config: \"base_channels\" must be a positive multiple of \"divisor\" (" + std::to_string(divisor) + ")");
    require(!channelMult.empty(), "net config: \"channel_mult\" must not be empty");
    for (int m : channelMult)
        require(m > 0, "net config: \"channel_mult\" entries must be positive");
    // Each level but the last halves the resolution; the decoder must get back
    // exactly the encoder's sizes, so every intermediate size must be even.
    int size = imageSize;
    for (size_t level = 0; level + 1 < channelMult.size(); ++level) {
        require(size % 2 == 0, "net config: image size " + std::to_string(imageSize) + " cannot be halved " +
                                   std::to_string(channelMult.size() - 1) + " times (\"channel_mult\" has too many levels)");
        size /= 2;
    }
    require(numResBlocks >= 1, "net config: \"num_res_blocks\" must be at least 1");
    for (int level : attentionLevels)
        require(level >= 0 && level < static_cast<int>(channelMult.size()),
                "net config: \"attention_levels\" entry " + std::to_string(level) + " is not a level of \"channel_mult\"");
    require(dropout >= 0 && dropout < 1, "net config: \"dropout\" must be in [0, 1)");
    require(normGroups >= 1, "net config: \"norm_groups\" must be at least 1");
    require(!widths.empty() && widths.front() == 1.0, "net config: \"widths\" must start with 1.0");
    for (size_t i = 0; i < widths.size(); ++i) {
        require(widths[i] > 0 && widths[i] <= 1.0 && std::isfinite(widths[i]), "net config: \"widths\" must be in (0, 1]");
        require(i == 0 || widths[i] < widths[i - 1], "net config: \"widths\" must be strictly descending");
    }
    require(divisor >= 1 && linearDivisor >= 1, "net config: \"divisor\" and \"linear_divisor\" must be positive");
    require(diffusion.T >= 2, "net config: \"diffusion.T\" must be at least 2");
    require(diffusion.betaSchedule == "linear" || diffusion.betaSchedule == "cosine",
            "net config: \"diffusion.beta_schedule\" must be \"linear\" or \"cosine\"");
    require(diffusion.betaStart > 0 && diffusion.betaEnd < 1 && diffusion.betaStart <= diffusion.betaEnd,
            "net config: betas must satisfy 0 < beta_start <= beta_end < 1");
    require(diffusion.prediction == "epsilon", "net config: only \"epsilon\" prediction is supported");
}

json toJson(const DiffusionConfig& c)
{
    return json{{"T", c.T},
                {"beta_schedule", c.betaSchedule},
                {"beta_start", c.betaStart},
                {"beta_end", c.betaEnd},
                {"prediction", c.prediction}};
}

json toJson(const NetConfig& c)
{
    return json{{"format", "ddsm-net-config"},
                {"version", 1},
                {"architecture", "slimmable-ddpm-unet"},
                {"image_size", c.imageSize},
                {"channels", c.channels},
                {"base_channels", c.baseChannels},
                {"channel_mult", c.channelMult},
                {"num_res_blocks", c.numResBlocks},
                {"attention_levels", c.attentionLevels},
                {"middle_attention", true},
                {"dropout", c.dropout},
                {"norm_groups", c.normGroups},
                {"widths", c.widths},
                {"divisor", c.divisor},
                {"linear_divisor", c.linearDivisor},
                {"diffusion", toJson(c.diffusion)}};
}

DiffusionConfig diffusionConfigFromJson(const json& j, const std::string& where)
{
    if (!j.is_object())
        throw Error(where + ": \"diffusion\" must be an object");
    DiffusionConfig c;
    c.T = field(j, "T", c.T, where);
    c.betaSchedule = field(j, "beta_schedule", c.betaSchedule, where);
    c.betaStart = field(j, "beta_start", c.betaStart, where);
    c.betaEnd = field(j, "beta_end", c.betaEnd, where);
    c.prediction = field(j, "prediction", c.prediction, where);
    return c;
}

NetConfig netConfigFromJson(const json& j, const std::string& where)
{
    if (!j.is_object())
        throw Error(where + ": a net config must be a JSON object");
    const auto format = field<std::string>(j, "format", "ddsm-net-config", where);
    if (format != "ddsm-net-config")
        throw Error(where + ": \"format\" is \"" + format + "\", expected \"ddsm-net-config\"");
    const int version = field(j, "version", 1, where);
    if (version > 1)
        throw Error(where + ": net config version " + std::to_string(version) + " is newer than this program reads (1)");
    NetConfig c;
    c.imageSize = field(j, "image_size", c.imageSize, where);
    c.channels = field(j, "channels", c.channels, where);
    c.baseChannels = field(j, "base_channels", c.baseChannels, where);
    c.channelMult = field(j, "channel_mult", c.channelMult, where);
    c.numResBlocks = field(j, "num_res_blocks", c.numResBlocks, where);
    c.attentionLevels = field(j, "attention_levels", c.attentionLevels, where);
    c.dropout = field(j, "dropout", c.dropout, where);
    c.normGroups = field(j, "norm_groups", c.normGroups, where);
    c.widths = field(j, "widths", c.widths, where);
    c.divisor = field(j, "divisor", c.divisor, where);
    c.linearDivisor = field(j, "linear_divisor", c.linearDivisor, where);
    if (j.contains("diffusion"))
        c.diffusion = diffusionConfigFromJson(j.at("diffusion"), where);
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return c;
}

NetConfig loadNetConfig(const std::string& path)
{
    const std::string text = readWholeFile(path);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(path + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    }
    return netConfigFromJson(j, path);
}

void saveNetConfig(const std::string& path, const NetConfig& config)
{
    writeFileAtomically(path, toJson(config).dump(2) + "\n");
}

std::string describe(const NetConfig& c)
{
    std::ostringstream out;
    out << c.imageSize << "x" << c.imageSize << "x" << c.channels << ", ch " << c.baseChannels << " x (";
    for (size_t i = 0; i < c.channelMult.size(); ++i)
        out << (i ? "," : "") << c.channelMult[i];
    out << "), " << c.numResBlocks << " res blocks, attention at";
    for (int level : c.attentionLevels)
        out << " " << (c.imageSize >> level) << "x" << (c.imageSize >> level);
    out << " + middle, widths";
    for (size_t i = 0; i < c.widths.size(); ++i)
        out << (i ? "/" : " ") << c.widths[i];
    out << ", T " << c.diffusion.T;
    return out.str();
}

}  // namespace ddsm
