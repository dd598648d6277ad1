#include "evaluation/predictor_fit.h"

#include "base/error.h"
#include "metrics/kendall_tau.h"

#include <algorithm>
#include <cmath>

namespace ddsm {

namespace {

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

}  // namespace ddsm
