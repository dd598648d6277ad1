// A distance predictor's calibration opened and asked for a schedule's
// predicted quality (`ddsm predictor predict`, the app's estimate).
#include "api/api_internal.h"

#include "base/error.h"
#include "base/sampler_tag.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/predictor_file.h"

#include <chrono>

namespace ddsm::api {

namespace {

// The tag is checked when a file is read; a calibration made in memory has its sampler's.
Sampler calibratedSamplerOf(const PredictorCalibration& c)
{
    Sampler sampler;
    sampler.steps = c.steps;
    if (const auto parts = parseSamplerTag(c.samplerTag)) {
        sampler.kind = parts->kind;
        sampler.eta = parts->eta;
        sampler.variance = parts->variance;
        sampler.clipX0 = parts->clipX0;
    }
    return sampler;
}

}  // namespace

PredictorInfo predictorInfo(const PredictorCalibration& c)
{
    PredictorInfo info;
    info.T = c.T;
    info.steps = c.steps;
    info.binEdges = c.binEdges;
    info.widths = c.widths;
    info.target = c.target;
    info.ridge = c.ridge;
    info.model = c.model;
    info.sampler = c.sampler;
    info.featureName = c.featureName;
    info.reference = c.reference;
    info.samplerTag = c.samplerTag;
    info.calibratedSampler = calibratedSamplerOf(c);
    info.estimator = c.estimator;
    info.samples = c.samples;
    info.fittedSchedules = c.fittedSchedules;
    info.fitRmse = c.fitRmse;
    info.heldOutSchedules = c.heldOutSchedules;
    info.heldOutKendallTau = c.heldOutKendallTau;
    info.crossValidatedKendallTau = c.crossValidatedKendallTau;
    info.measuredSchedules = int(c.fitted.size() + c.heldOut.size());
    return info;
}

Predictor::Predictor(std::shared_ptr<const DistancePredictor> predictor)
    : predictor_(std::move(predictor)), info_(predictorInfo(predictor_->calibration()))
{
}

double Predictor::predict(const std::vector<double>& widthsByTimestep) const
{
    return predictor_->predict(widthsByTimestep);
}

Predictor openPredictor(const std::string& path)
{
    return Predictor(std::make_shared<const DistancePredictor>(loadPredictor(path)));
}

Prediction predict(const Predictor& predictor, const PredictOptions& options)
{
    const PredictorInfo& c = predictor.info();
    // Another sampler's schedule costs differ by step (DDIM carries early errors to the end): refuse it.
    const std::string asked = engineSampler(options.sampler).tag();
    const std::string calibrated = engineSampler(c.calibratedSampler).tag();
    if (asked != calibrated)
        throw Error("the predictor was calibrated with " + calibrated + " and holds for that sampler alone; asked for " +
                    asked);
    const ResolvedSchedule choice = resolveSchedule(options.schedule, options.sampler, c.T, c.widths, options.note);
    Prediction result;
    const auto start = std::chrono::steady_clock::now();
    result.value = predictor.predict(choice.document.schedule.widths());
    result.microseconds = 1e6 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace ddsm::api
