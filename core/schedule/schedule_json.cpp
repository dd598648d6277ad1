#include "schedule/schedule_json.h"

#include "base/error.h"
#include "base/json_fields.h"
#include "schedule/width.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <optional>

namespace ddsm {

namespace {

using Json = nlohmann::json;

constexpr const char* kAxis = "training_timestep";
constexpr const char* kDirection =
    "widths[t] is the network width at training timestep t; t = 0 is the clean image, "
    "denoising runs from t = T-1 to t = 0";
// Large enough for any diffusion model, small enough that a corrupt "T" cannot
// make a reader allocate gigabytes while rebuilding from segments.
constexpr long long kMaxT = 10'000'000;

// ---------------------------------------------------------------- writing

void requireWritableSampler(const SamplerRecord& sampler, int T)
{
    if (sampler.kind.empty())
        throw Error("schedule: sampler kind is empty");
    if (sampler.steps < 1 || sampler.steps > T)
        throw Error("schedule: sampler steps = " + std::to_string(sampler.steps)
                    + " is outside 1..T = " + std::to_string(T));
    if (!std::isfinite(sampler.eta) || sampler.eta < 0.0)
        throw Error("schedule: sampler eta = " + formatWidth(sampler.eta)
                    + " must be finite and non-negative");
}

Json parseFreeFormObject(const std::string& text, const char* field)
{
    Json value;
    try {
        value = Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw Error(std::string("schedule: ") + field + " is not valid JSON: " + e.what());
    }
    if (!value.is_object())
        throw Error(std::string("schedule: ") + field + " must be a JSON object");
    return value;
}

// Two-space indentation with each top-level value on one line, except
// "segments", one per line: T widths stay one line instead of T lines.
std::string layout(const nlohmann::ordered_json& document)
{
    std::string out = "{\n";
    bool first = true;
    for (const auto& item : document.items()) {
        if (!first)
            out += ",\n";
        first = false;
        out += "  " + Json(item.key()).dump() + ": ";
        if (item.key() == "segments") {
            out += "[\n";
            for (size_t i = 0; i < item.value().size(); ++i)
                out += "    " + item.value()[i].dump() + (i + 1 < item.value().size() ? ",\n" : "\n");
            out += "  ]";
        } else {
            out += item.value().dump();
        }
    }
    return out + "\n}\n";
}

// ---------------------------------------------------------------- reading

// The width of one timestep: a number in (0, 1].
double readWidth(const JsonFields& in, const Json& value, const std::string& field)
{
    const double w = in.number(value, field);
    if (!isValidWidth(w))
        in.failField(field, "is " + formatWidth(w) + ", outside (0, 1]");
    return w;
}

void readHeader(const JsonFields& in, const Json& root)
{
    const std::string format = in.string(in.require(root, "", "format"), "format");
    if (format != kScheduleFormatName)
        in.failField("format", "is " + Json(format).dump() + ", expected \""
                                   + kScheduleFormatName + "\"");
    const long long version = in.integer<long long>(in.require(root, "", "version"), "version");
    if (version > kScheduleFormatVersion)
        in.failField("version", "is " + std::to_string(version)
                                    + ", newer than the supported version "
                                    + std::to_string(kScheduleFormatVersion));
    if (version < 1)
        in.failField("version", "is " + std::to_string(version)
                                    + ", not a valid version (versions start at 1)");
    const std::string axis = in.string(in.require(root, "", "axis"), "axis");
    if (axis != kAxis)
        in.failField("axis", "is " + Json(axis).dump() + ", expected \"" + kAxis + "\"");
}

std::vector<double> readWidths(const JsonFields& in, const Json& widths, int T)
{
    if (!widths.is_array())
        in.failField("widths", "is " + describeJson(widths) + ", expected an array of T numbers");
    if (widths.size() != static_cast<size_t>(T))
        in.failField("widths", "has " + std::to_string(widths.size())
                                   + " entries, expected T = " + std::to_string(T));
    std::vector<double> result;
    result.reserve(widths.size());
    for (size_t t = 0; t < widths.size(); ++t)
        result.push_back(readWidth(in, widths[t], "widths[" + std::to_string(t) + "]"));
    return result;
}

// Every timestep must be covered by exactly one segment.
std::vector<double> readSegments(const JsonFields& in, const Json& segments, int T)
{
    if (!segments.is_array())
        in.failField("segments", "is " + describeJson(segments) + ", expected an array");
    std::vector<std::optional<double>> covered(static_cast<size_t>(T));
    const std::string range_text = "0..T-1 = 0.." + std::to_string(T - 1);
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string prefix = "segments[" + std::to_string(i) + "].";
        const Json& segment = segments[i];
        in.requireObject(segment, "segments[" + std::to_string(i) + "]");
        const auto t_begin = static_cast<int>(in.integerIn(
            in.require(segment, prefix, "t_begin"), prefix + "t_begin", 0, T - 1, range_text));
        const auto t_end = static_cast<int>(in.integerIn(
            in.require(segment, prefix, "t_end"), prefix + "t_end", 0, T - 1, range_text));
        const double width = readWidth(in, in.require(segment, prefix, "width"), prefix + "width");
        for (int t = std::min(t_begin, t_end); t <= std::max(t_begin, t_end); ++t) {
            auto& slot = covered[static_cast<size_t>(t)];
            if (slot)
                in.failField("segments[" + std::to_string(i) + "]",
                             "overlaps an earlier segment at t = " + std::to_string(t));
            slot = width;
        }
    }
    std::vector<double> widths;
    widths.reserve(covered.size());
    for (size_t t = 0; t < covered.size(); ++t) {
        if (!covered[t])
            in.failField("segments", "leave t = " + std::to_string(t) + " uncovered");
        widths.push_back(*covered[t]);
    }
    return widths;
}

// A file holding both must hold one schedule: neither silently wins.
void requireSegmentsAgree(const JsonFields& in, const std::vector<double>& fromSegments,
                          const std::vector<double>& widths)
{
    for (size_t t = 0; t < widths.size(); ++t)
        if (fromSegments[t] != widths[t])
            in.fail("\"segments\" and \"widths\" disagree at t = " + std::to_string(t) + ": segments say "
                    + formatWidth(fromSegments[t]) + ", widths[" + std::to_string(t) + "] = " + formatWidth(widths[t]));
}

SamplerRecord readSampler(const JsonFields& in, const Json& sampler, int T)
{
    in.requireObject(sampler, "sampler");
    SamplerRecord settings;
    settings.kind = in.string(in.require(sampler, "sampler.", "kind"), "sampler.kind");
    if (settings.kind.empty())
        in.failField("sampler.kind", "is empty");
    settings.steps = static_cast<int>(in.integerIn(in.require(sampler, "sampler.", "steps"),
                                                   "sampler.steps", 1, T,
                                                   "1..T = 1.." + std::to_string(T)));
    settings.eta = in.number(in.require(sampler, "sampler.", "eta"), "sampler.eta");
    if (settings.eta < 0.0)
        in.failField("sampler.eta", "is " + formatWidth(settings.eta) + ", expected >= 0");
    settings.seed = in.get<std::uint64_t>(sampler, "sampler.", "seed");
    return settings;
}

ModelIdentity readModel(const JsonFields& in, const Json& model)
{
    in.requireObject(model, "model");
    ModelIdentity identity;
    identity.name = in.string(in.require(model, "model.", "name"), "model.name");
    if (const Json* sha256 = in.find(model, "sha256"))
        identity.sha256 = in.string(*sha256, "model.sha256");
    return identity;
}

}  // namespace

std::string scheduleToJson(const ScheduleDocument& document)
{
    const StepSchedule& schedule = document.schedule;
    if (schedule.empty())
        throw Error("schedule: cannot save an empty schedule");

    nlohmann::ordered_json json;
    json["format"] = kScheduleFormatName;
    json["version"] = kScheduleFormatVersion;
    json["name"] = document.name;
    json["axis"] = kAxis;
    json["direction"] = kDirection;
    json["T"] = schedule.T();
    json["widths"] = schedule.widths();
    json["segments"] = nlohmann::ordered_json::array();
    for (const ScheduleSegment& segment : schedule.segments())
        json["segments"].push_back(
            {{"t_begin", segment.t_begin}, {"t_end", segment.t_end}, {"width", segment.width}});
    if (document.sampler) {
        const SamplerRecord& sampler = *document.sampler;
        requireWritableSampler(sampler, schedule.T());
        json["sampler"] = {{"kind", sampler.kind},
                           {"steps", sampler.steps},
                           {"eta", sampler.eta},
                           {"seed", sampler.seed}};
    }
    if (document.model) {
        json["model"] = {{"name", document.model->name}};
        if (!document.model->sha256.empty())
            json["model"]["sha256"] = document.model->sha256;
    }
    if (!document.costs_json.empty())
        json["costs"] = parseFreeFormObject(document.costs_json, "costs");
    if (!document.metrics_json.empty())
        json["metrics"] = parseFreeFormObject(document.metrics_json, "metrics");
    return layout(json);
}

ScheduleDocument scheduleFromJson(const std::string& text, const std::string& source)
{
    const Json root = parseJson(text, source);
    const JsonFields in(source);
    if (!root.is_object())
        in.fail("expected a JSON object at the top level, found " + describeJson(root));
    readHeader(in, root);

    ScheduleDocument document;
    if (const Json* name = in.find(root, "name"))
        document.name = in.string(*name, "name");
    const auto T = static_cast<int>(in.integerIn(in.require(root, "", "T"), "T", 1, kMaxT,
                                                 "a positive integer"));
    const Json* widths = in.find(root, "widths");
    const Json* segments = in.find(root, "segments");
    if (widths) {
        document.schedule = StepSchedule::fromWidths(readWidths(in, *widths, T));
        if (segments)
            requireSegmentsAgree(in, readSegments(in, *segments, T), document.schedule.widths());
    } else if (segments) {
        document.schedule = StepSchedule::fromWidths(readSegments(in, *segments, T));
    } else {
        in.fail("field \"widths\" is missing (and there are no \"segments\" to rebuild it from)");
    }

    if (const Json* sampler = in.find(root, "sampler"))
        document.sampler = readSampler(in, *sampler, T);
    if (const Json* model = in.find(root, "model"))
        document.model = readModel(in, *model);
    if (const Json* costs = in.find(root, "costs")) {
        in.requireObject(*costs, "costs");
        document.costs_json = costs->dump();
    }
    if (const Json* metrics = in.find(root, "metrics")) {
        in.requireObject(*metrics, "metrics");
        document.metrics_json = metrics->dump();
    }
    return document;
}

}  // namespace ddsm
