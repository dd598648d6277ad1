#include "evaluation/distance_predictor.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"
#include "base/sampler_tag.h"
#include "metrics/kendall_tau.h"
#include "schedule/respacing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
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

size_t nearestWidth(const std::vector<double>& widths, double width)
{
    size_t best = 0;
    for (size_t w = 1; w < widths.size(); ++w)
        if (std::abs(widths[w] - width) < std::abs(widths[best] - width))
            best = w;
    return best;
}

// Solves the symmetric positive definite system A x = b in place (Gaussian
// elimination with partial pivoting; the systems here have tens of unknowns).
std::vector<double> solve(std::vector<std::vector<double>> a, std::vector<double> b)
{
    const size_t n = b.size();
    for (size_t col = 0; col < n; ++col) {
        size_t pivot = col;
        for (size_t r = col + 1; r < n; ++r)
            if (std::abs(a[r][col]) > std::abs(a[pivot][col]))
                pivot = r;
        if (std::abs(a[pivot][col]) < 1e-300)
            throw Error("distance predictor fit is singular: too few or too similar schedules (add a ridge)");
        std::swap(a[col], a[pivot]);
        std::swap(b[col], b[pivot]);
        for (size_t r = col + 1; r < n; ++r) {
            const double f = a[r][col] / a[col][col];
            for (size_t c = col; c < n; ++c)
                a[r][c] -= f * a[col][c];
            b[r] -= f * b[col];
        }
    }
    std::vector<double> x(n);
    for (size_t i = n; i-- > 0;) {
        double s = b[i];
        for (size_t c = i + 1; c < n; ++c)
            s -= a[i][c] * x[c];
        x[i] = s / a[i][i];
    }
    return x;
}

}  // namespace

DistancePredictor::DistancePredictor(PredictorCalibration calibration) : calibration_(std::move(calibration))
{
    const auto& c = calibration_;
    if (c.bins() < 1 || c.binEdges.front() != 0 || c.binEdges.back() != c.T)
        throw Error("distance predictor: bin edges must run from 0 to T = " + std::to_string(c.T));
    for (int b = 0; b < c.bins(); ++b)
        if (c.binEdges[b + 1] <= c.binEdges[b])
            throw Error("distance predictor: bin edges must increase");
    if (c.target != kDistanceTarget && c.target != kLogDistanceTarget)
        throw Error("distance predictor: target must be \"distance\" or \"log-distance\", got \"" + c.target + "\"");
    if (c.widths.size() < 1 || c.penalty.size() != size_t(c.bins()))
        throw Error("distance predictor: needs widths and one penalty row per bin");
    for (const auto& row : c.penalty)
        if (row.size() != c.widths.size())
            throw Error("distance predictor: each penalty row needs one value per width");
    timesteps_ = respacedTimesteps(c.T, c.steps);
    stepsInBin_.assign(size_t(c.bins()), 0);
    for (int t : timesteps_) {
        int b = 0;
        while (t >= c.binEdges[b + 1])
            ++b;
        stepBin_.push_back(b);
        ++stepsInBin_[size_t(b)];
    }
}

std::vector<double> DistancePredictor::shares(const std::vector<double>& widthsByTimestep) const
{
    const auto& c = calibration_;
    if (int(widthsByTimestep.size()) != c.T)
        throw Error("distance predictor calibrated for T = " + std::to_string(c.T) + ", schedule has T = " +
                    std::to_string(widthsByTimestep.size()));
    const size_t narrow = c.widths.size() - 1;
    std::vector<double> share(size_t(c.bins()) * narrow, 0.0);
    for (size_t s = 0; s < timesteps_.size(); ++s) {
        const size_t w = nearestWidth(c.widths, widthsByTimestep[size_t(timesteps_[s])]);
        const size_t b = size_t(stepBin_[s]);
        if (w > 0)
            share[b * narrow + (w - 1)] += 1.0 / stepsInBin_[b];
    }
    return share;
}

double DistancePredictor::predict(const std::vector<double>& widthsByTimestep) const
{
    const auto& c = calibration_;
    const auto share = shares(widthsByTimestep);
    const size_t narrow = c.widths.size() - 1;
    double z = c.base;
    for (size_t i = 0; i < share.size(); ++i)
        z += share[i] * c.penalty[i / narrow][1 + i % narrow];
    return c.target == kLogDistanceTarget ? std::exp(z) : z;
}

namespace {

// The least-squares problem of a fit: one row [1, shares...] per measured
// schedule, and the value it should reach (the distance or its logarithm).
struct Design {
    std::vector<std::vector<double>> rows;
    std::vector<double> y;
    bool logTarget = false;
};

// `layout`'s bins, steps and widths; its penalties are not read.
Design makeDesign(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured, const std::string& target)
{
    if (measured.size() < 2)
        throw Error("a distance predictor needs at least 2 measured schedules, got " + std::to_string(measured.size()));
    layout.target = target;
    layout.penalty.assign(size_t(layout.bins()), std::vector<double>(layout.widths.size(), 0.0));
    const DistancePredictor shape(layout);  // validates the layout and the target
    Design d;
    d.logTarget = target == kLogDistanceTarget;
    for (const auto& m : measured) {
        if (d.logTarget && !(m.distance > 0))
            throw Error("a log-distance predictor needs positive distances, got " + std::to_string(m.distance));
        std::vector<double> row{1.0};
        const auto share = shape.shares(m.widthsByTimestep);
        row.insert(row.end(), share.begin(), share.end());
        d.rows.push_back(std::move(row));
        d.y.push_back(d.logTarget ? std::log(m.distance) : m.distance);
    }
    return d;
}

// Ridge least squares over every row but `skip` (npos: all): base, then penalties.
std::vector<double> solveRidge(const Design& d, double ridge, size_t skip = size_t(-1))
{
    const size_t n = d.rows.front().size();
    std::vector<std::vector<double>> normal(n, std::vector<double>(n, 0.0));
    std::vector<double> rhs(n, 0.0);
    size_t used = 0;
    for (size_t k = 0; k < d.rows.size(); ++k) {
        if (k == skip)
            continue;
        ++used;
        const auto& row = d.rows[k];
        for (size_t i = 0; i < n; ++i) {
            rhs[i] += row[i] * d.y[k];
            for (size_t j = 0; j < n; ++j)
                normal[i][j] += row[i] * row[j];
        }
    }
    // The ridge is relative to the data's scale, and a bin no sampler step
    // visits has an all-zero column, which the ridge keeps at penalty 0.
    for (size_t i = 1; i < n; ++i)
        normal[i][i] += ridge * double(used) + (normal[i][i] == 0 ? 1.0 : 0.0);
    return solve(normal, rhs);
}

// The distance row `k` of the design predicts with coefficients `x`.
double predictRow(const Design& d, const std::vector<double>& x, size_t k)
{
    double z = 0;
    for (size_t i = 0; i < x.size(); ++i)
        z += d.rows[k][i] * x[i];
    return d.logTarget ? std::exp(z) : z;
}

}  // namespace

PredictorCalibration fitDistancePredictor(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured,
                                          double ridge, const std::string& target)
{
    const Design d = makeDesign(layout, measured, target);
    const auto x = solveRidge(d, ridge);
    const size_t narrow = layout.widths.size() - 1;
    layout.target = target;
    layout.penalty.assign(size_t(layout.bins()), std::vector<double>(layout.widths.size(), 0.0));
    layout.base = x[0];
    for (size_t i = 1; i < x.size(); ++i)
        layout.penalty[(i - 1) / narrow][1 + (i - 1) % narrow] = x[i];
    layout.ridge = ridge;
    double squared = 0;
    for (size_t k = 0; k < measured.size(); ++k)
        squared += std::pow(predictRow(d, x, k) - measured[k].distance, 2);
    layout.fitRmse = std::sqrt(squared / double(measured.size()));
    layout.fittedSchedules = int(measured.size());
    return layout;
}

PredictorModelScore scorePredictorModel(const PredictorCalibration& layout,
                                        const std::vector<MeasuredSchedule>& measured, const std::string& target,
                                        double ridge)
{
    if (measured.size() < 4)
        throw Error("choosing a distance predictor needs at least 4 measured schedules, got " +
                    std::to_string(measured.size()));
    const Design d = makeDesign(layout, measured, target);
    std::vector<double> predicted, truth;
    double squared = 0;
    for (size_t leave = 0; leave < measured.size(); ++leave) {
        predicted.push_back(predictRow(d, solveRidge(d, ridge, leave), leave));
        truth.push_back(measured[leave].distance);
        squared += std::pow(predicted.back() - truth.back(), 2);
    }
    return {target, ridge, kendallTau(predicted, truth), std::sqrt(squared / double(truth.size()))};
}

std::vector<PredictorModelScore> crossValidatePredictorModels(const PredictorCalibration& layout,
                                                              const std::vector<MeasuredSchedule>& measured,
                                                              const std::vector<double>& ridges)
{
    std::vector<PredictorModelScore> scores;
    for (const std::string target : {kDistanceTarget, kLogDistanceTarget})
        for (double ridge : ridges)
            scores.push_back(scorePredictorModel(layout, measured, target, ridge));
    std::stable_sort(scores.begin(), scores.end(), [](const PredictorModelScore& a, const PredictorModelScore& b) {
        return a.kendallTau != b.kendallTau ? a.kendallTau > b.kendallTau : a.rmse < b.rmse;
    });
    return scores;
}

PredictorCalibration fitSelectedPredictor(PredictorCalibration layout, const std::vector<MeasuredSchedule>& measured,
                                          const std::vector<double>& ridges, std::vector<PredictorModelScore>* scores)
{
    auto ranked = crossValidatePredictorModels(layout, measured, ridges);
    const auto best = ranked.front();
    auto fitted = fitDistancePredictor(std::move(layout), measured, best.ridge, best.target);
    fitted.crossValidatedKendallTau = best.kendallTau;
    if (scores)
        *scores = std::move(ranked);
    return fitted;
}

namespace {

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
    c.samplerTag = in.getOr(json, "", "sampler_tag", samplerTagFromDescription(c.sampler, c.steps));
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
