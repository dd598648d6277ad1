#include "evaluation/distance_predictor.h"

#include "base/error.h"
#include "schedule/respacing.h"

#include <cmath>

namespace ddsm {

namespace {

size_t nearestWidth(const std::vector<double>& widths, double width)
{
    size_t best = 0;
    for (size_t w = 1; w < widths.size(); ++w)
        if (std::abs(widths[w] - width) < std::abs(widths[best] - width))
            best = w;
    return best;
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

}  // namespace ddsm
