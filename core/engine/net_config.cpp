#include "engine/net_config.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace ddsm {

namespace {

using nlohmann::json;

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
    // Checked first: the multiples below divide by them.
    require(divisor >= 1 && linearDivisor >= 1, "net config: \"divisor\" and \"linear_divisor\" must be positive");
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

namespace {

DiffusionConfig readDiffusion(const JsonFields& in, const json& j)
{
    in.requireObject(j, "diffusion");
    DiffusionConfig c;
    c.T = in.getOr(j, "diffusion.", "T", c.T);
    c.betaSchedule = in.getOr(j, "diffusion.", "beta_schedule", c.betaSchedule);
    c.betaStart = in.getOr(j, "diffusion.", "beta_start", c.betaStart);
    c.betaEnd = in.getOr(j, "diffusion.", "beta_end", c.betaEnd);
    c.prediction = in.getOr(j, "diffusion.", "prediction", c.prediction);
    return c;
}

}  // namespace

DiffusionConfig diffusionConfigFromJson(const json& j, const std::string& where)
{
    return readDiffusion(JsonFields(where), j);
}

NetConfig netConfigFromJson(const json& j, const std::string& where)
{
    const JsonFields in(where);
    if (!j.is_object())
        in.fail("a net config must be a JSON object");
    const auto format = in.getOr<std::string>(j, "", "format", "ddsm-net-config");
    if (format != "ddsm-net-config")
        in.failField("format", "is \"" + format + "\", expected \"ddsm-net-config\"");
    const int version = in.getOr(j, "", "version", 1);
    if (version > 1)
        in.fail("net config version " + std::to_string(version) + " is newer than this program reads (1)");
    NetConfig c;
    c.imageSize = in.getOr(j, "", "image_size", c.imageSize);
    c.channels = in.getOr(j, "", "channels", c.channels);
    c.baseChannels = in.getOr(j, "", "base_channels", c.baseChannels);
    c.channelMult = in.getOr(j, "", "channel_mult", c.channelMult);
    c.numResBlocks = in.getOr(j, "", "num_res_blocks", c.numResBlocks);
    c.attentionLevels = in.getOr(j, "", "attention_levels", c.attentionLevels);
    c.dropout = in.getOr(j, "", "dropout", c.dropout);
    c.normGroups = in.getOr(j, "", "norm_groups", c.normGroups);
    c.widths = in.getOr(j, "", "widths", c.widths);
    c.divisor = in.getOr(j, "", "divisor", c.divisor);
    c.linearDivisor = in.getOr(j, "", "linear_divisor", c.linearDivisor);
    if (const json* diffusion = in.find(j, "diffusion"))
        c.diffusion = readDiffusion(in, *diffusion);
    try {
        c.validate();
    } catch (const Error& e) {
        in.fail(e.what());
    }
    return c;
}

NetConfig loadNetConfig(const std::string& path)
{
    return netConfigFromJson(parseJson(readWholeFile(path), path), path);
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
