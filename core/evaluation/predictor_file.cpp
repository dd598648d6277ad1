#include "evaluation/predictor_file.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"
#include "base/sampler_tag.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace ddsm {

namespace {

// Calibrations written before "sampler_tag" describe their sampler only as
// SamplerSettings::toString() text ("ddim 20 steps, eta 0, seed 0, x0 clipped").
std::string samplerTagFromDescription(const std::string& text, int steps)
{
    const std::string kind = text.substr(0, text.find(' '));
    double eta = 0;
    std::string variance = "fixedlarge";
    if (const auto at = text.find(", eta "); at != std::string::npos)
        eta = std::atof(text.c_str() + at + 6);
    if (text.find("fixedsmall") != std::string::npos)
        variance = "fixedsmall";
    return samplerTag(kind.empty() ? "ddim" : kind, steps, eta, variance, text.find("x0 clipped") != std::string::npos);
}

inline constexpr const char* kPredictorFormat = "ddsm-distance-predictor";
// As for schedule files: far above any diffusion model's T, low enough that a
// corrupt file cannot make the reader rebuild gigabytes of widths.
constexpr long long kMaxPredictorT = 10'000'000;

// A schedule as run-length segments [t_begin, t_end, width]: exact and short
// for the bin schedules a calibration measures.
nlohmann::json segmentsJson(const std::vector<double>& widths)
{
    auto segments = nlohmann::json::array();
    for (size_t begin = 0; begin < widths.size();) {
        size_t end = begin + 1;
        while (end < widths.size() && widths[end] == widths[begin])
            ++end;
        segments.push_back({begin, end, widths[begin]});
        begin = end;
    }
    return segments;
}

// Run-length segments [t_begin, t_end, width] covering 0 .. T in order.
std::vector<double> widthsFromSegments(const JsonFields& in, const nlohmann::json& segments, int T,
                                       const std::string& field)
{
    in.requireArray(segments, field);
    std::vector<double> widths;
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string at = field + "[" + std::to_string(i) + "]";
        const nlohmann::json& s = segments[i];
        if (!s.is_array() || s.size() != 3)
            in.failField(at, "is " + describeJson(s) + ", expected [t_begin, t_end, width]");
        const auto begin = in.integer<int>(s[0], at + "[0]"), end = in.integer<int>(s[1], at + "[1]");
        if (begin != int(widths.size()) || end <= begin || end > T)
            in.failField(at, "is [" + std::to_string(begin) + ", " + std::to_string(end) +
                                 ", ...]: measured schedule segments must cover 0 .. T = " + std::to_string(T) +
                                 " in order");
        widths.insert(widths.end(), size_t(end - begin), in.number(s[2], at + "[2]"));
    }
    if (int(widths.size()) != T)
        in.failField(field, "cover 0 .. " + std::to_string(widths.size()) +
                                ": measured schedule segments must cover 0 .. T = " + std::to_string(T) + " in order");
    return widths;
}

nlohmann::json measurementsJson(const std::vector<MeasuredSchedule>& measured)
{
    auto list = nlohmann::json::array();
    for (const auto& m : measured)
        list.push_back({{"distance", m.distance}, {"segments", segmentsJson(m.widthsByTimestep)}});
    return list;
}

std::vector<MeasuredSchedule> measurementsFromJson(const JsonFields& in, const nlohmann::json& json,
                                                   const char* key, int T)
{
    std::vector<MeasuredSchedule> measured;
    const nlohmann::json* list = in.find(json, key);
    if (!list)
        return measured;
    in.requireArray(*list, key);
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string prefix = std::string(key) + "[" + std::to_string(i) + "].";
        const nlohmann::json& m = (*list)[i];
        in.requireObject(m, std::string(key) + "[" + std::to_string(i) + "]");
        measured.push_back({widthsFromSegments(in, in.require(m, prefix, "segments"), T, prefix + "segments"),
                            in.get<double>(m, prefix, "distance")});
    }
    return measured;
}

}  // namespace

std::string predictorToJson(const PredictorCalibration& c)
{
    const nlohmann::json json{
        {"format", kPredictorFormat},
        {"version", 1},
        {"kind", "prediction: additive surrogate fitted to measured distances"},
        {"target", c.target},
        {"T", c.T},
        {"steps", c.steps},
        {"bin_edges", c.binEdges},
        {"widths", c.widths},
        {"base", c.base},
        {"penalty", c.penalty},
        {"ridge", c.ridge},
        {"model", c.model},
        {"sampler", c.sampler},
        {"sampler_tag", c.samplerTag},
        {"feature_name", c.featureName},
        {"reference", c.reference},
        {"estimator", c.estimator},
        {"samples", c.samples},
        {"fitted_schedules", c.fittedSchedules},
        {"fit_rmse", c.fitRmse},
        {"held_out_schedules", c.heldOutSchedules},
        {"held_out_kendall_tau", c.heldOutKendallTau},
        {"cross_validated_kendall_tau", c.crossValidatedKendallTau},
        {"fitted_measurements", measurementsJson(c.fitted)},
        {"held_out_measurements", measurementsJson(c.heldOut)},
    };
    return json.dump(2) + "\n";
}

PredictorCalibration predictorFromJson(const std::string& text, const std::string& where)
{
    const JsonFields in(where);
    const auto json = parseJson(text, where);
    if (in.getOr<std::string>(json, "", "format", "") != kPredictorFormat)
        in.fail(std::string("not a distance predictor calibration (format is not \"") + kPredictorFormat + "\")");
    if (const auto version = in.get<int64_t>(json, "", "version"); version != 1)
        in.fail("unsupported calibration version " + std::to_string(version));
    PredictorCalibration c;
    c.T = int(in.integerIn(in.require(json, "", "T"), "T", 1, kMaxPredictorT, "1.." + std::to_string(kMaxPredictorT)));
    c.steps = in.get<int>(json, "", "steps");
    c.binEdges = in.get<std::vector<int>>(json, "", "bin_edges");
    c.widths = in.get<std::vector<double>>(json, "", "widths");
    c.target = in.getOr<std::string>(json, "", "target", kDistanceTarget);
    c.base = in.get<double>(json, "", "base");
    c.penalty = in.get<std::vector<std::vector<double>>>(json, "", "penalty");
    c.model = in.getOr<std::string>(json, "", "model", "");
    c.sampler = in.getOr<std::string>(json, "", "sampler", "");
    c.samplerTag = in.getOr<std::string>(json, "", "sampler_tag", "");
    if (c.samplerTag.empty())
        c.samplerTag = samplerTagFromDescription(c.sampler, c.steps);
    // A prediction holds for this sampler alone: it must be one, with the file's steps.
    if (const auto parts = parseSamplerTag(c.samplerTag); !parts)
        in.failField("sampler_tag", "is \"" + c.samplerTag + "\", not a sampler's tag (e.g. \"ddim50\", \"ddpm100\")");
    else if (parts->steps != c.steps)
        in.failField("sampler_tag", "is \"" + c.samplerTag + "\" (" + std::to_string(parts->steps) + " steps) where steps is " +
                                        std::to_string(c.steps));
    c.featureName = in.getOr<std::string>(json, "", "feature_name", "");
    c.reference = in.getOr<std::string>(json, "", "reference", "");
    c.estimator = in.getOr<std::string>(json, "", "estimator", "FID");
    c.samples = in.getOr<int64_t>(json, "", "samples", 0);
    c.fittedSchedules = in.getOr(json, "", "fitted_schedules", 0);
    c.fitRmse = in.getOr(json, "", "fit_rmse", 0.0);
    c.heldOutSchedules = in.getOr(json, "", "held_out_schedules", 0);
    c.heldOutKendallTau = in.getOr(json, "", "held_out_kendall_tau", 0.0);
    c.crossValidatedKendallTau = in.getOr(json, "", "cross_validated_kendall_tau", 0.0);
    c.ridge = in.getOr(json, "", "ridge", 0.0);
    c.fitted = measurementsFromJson(in, json, "fitted_measurements", c.T);
    c.heldOut = measurementsFromJson(in, json, "held_out_measurements", c.T);
    try {
        DistancePredictor check(c);  // validates the layout
    } catch (const Error& e) {
        in.fail(e.what());
    }
    return c;
}

void savePredictor(const std::string& path, const PredictorCalibration& calibration)
{
    writeFileAtomically(path, predictorToJson(calibration));
}

PredictorCalibration loadPredictor(const std::string& path) { return predictorFromJson(readWholeFile(path), path); }

}  // namespace ddsm
