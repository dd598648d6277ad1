// Calibrating the distance predictor on a model (`ddsm predictor fit`), or
// again on the measurements a calibration keeps (`ddsm predictor refit`).
#include "api/api_internal.h"

#include "base/error.h"
#include "engine/denoiser.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/predictor_calibration.h"
#include "evaluation/predictor_file.h"

#include <torch/torch.h>

#include <sstream>

namespace ddsm::api {

namespace {

std::string formatNumber(double x)
{
    std::ostringstream text;
    text << x;
    return text.str();
}


// The engine's ridge: < 0 asks for the leave-one-out choice of target and ridge.
double engineRidge(const std::optional<double>& ridge)
{
    if (!ridge)
        return -1;
    if (!(*ridge >= 0))
        throw Error("--ridge must be >= 0, got " + formatNumber(*ridge));
    return *ridge;
}

// A fixed target goes with a fixed ridge: the leave-one-out choice picks both.
std::string engineTarget(const std::optional<double>& ridge, const std::optional<std::string>& target)
{
    if (target && !ridge)
        throw Error("a target (\"" + *target + "\") needs a ridge: without both, the leave-one-out choice picks them");
    return target.value_or("distance");
}

// What a fit measured, cancelled or not; no calibration.
PredictorFitResult measured(const CalibrationResult& fitted)
{
    PredictorFitResult result;
    result.cancelled = fitted.cancelled;
    result.measureSeconds = fitted.measureSeconds;
    result.keptSchedules = fitted.keptSchedules;
    result.schedulesMeasured = fitted.schedulesMeasured;
    result.predictMicroseconds = fitted.predictMicroseconds;
    return result;
}

PredictorFitResult written(const CalibrationResult& fitted, const std::string& out)
{
    if (!out.empty())
        savePredictor(out, fitted.calibration);
    PredictorFitResult result = measured(fitted);
    result.calibration = predictorInfo(fitted.calibration);
    return result;
}

}  // namespace

PredictorFitResult fitPredictor(const Model& model, const PredictorFitOptions& options)
{
    if (!model.isOpen())
        throw Error("fitting a predictor needs a model");
    auto extractor = openFeatures(options.features);
    const auto reference = openReference(options.features, *extractor);
    CalibrationSettings settings;
    settings.bins = options.bins;
    settings.fitSchedules = options.fitSchedules;
    settings.heldOutSchedules = options.heldOutSchedules;
    settings.samples = options.samples;
    settings.batch = options.batch;
    settings.sampler = engineSampler(options.sampler);
    settings.sampler.validate(model.T());
    settings.scheduleSeed = options.scheduleSeed;
    settings.ridge = engineRidge(options.ridge);
    settings.target = engineTarget(options.ridge, options.target);
    settings.cancel = options.cancel;
    // An interrupted fit of a model file goes on from the distances it kept.
    if (!options.out.empty() && !model.path().empty())
        keepCalibrationProgress(settings, options.out, model.path());
    const auto fitted = calibratePredictor(*model.denoiser(), *extractor, reference, settings, model.description(),
                                           [&](int done, int total) {
                                               if (options.progress)
                                                   options.progress(PredictorProgress{done, total});
                                           });
    if (fitted.cancelled) {
        PredictorFitResult result = measured(fitted);
        result.progressFile = settings.progressFile;
        return result;
    }
    const PredictorFitResult result = written(fitted, options.out);
    removeCalibrationProgress(settings);
    return result;
}

PredictorFitResult refitPredictor(const PredictorRefitOptions& options)
{
    const double ridge = engineRidge(options.ridge);
    const std::string target = engineTarget(options.ridge, options.target);
    return written(ddsm::refitPredictor(loadPredictor(options.calibration), options.bins, ridge, target), options.out);
}

}  // namespace ddsm::api
