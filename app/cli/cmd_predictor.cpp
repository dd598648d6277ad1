// ddsm predictor: fit the instant distance predictor to measured schedules,
// or predict a schedule's distance from a calibration (api::fitPredictor,
// refitPredictor, predict).
#include "api_options.h"
#include "commands.h"
#include "common.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm predictor fit (MODEL | --init random --config CFG) --out calib.json [options]\n"
    "       ddsm predictor refit CALIB.json --out new.json [--bins N] [--ridge R --target T]\n"
    "       ddsm predictor predict CALIB.json (--schedule S | --width W)\n"
    "\n"
    "fit: measures the FID of random schedules (one width per timestep bin, all from\n"
    "the same noise), fits per-bin, per-width penalties by ridge least squares on the\n"
    "distance or its logarithm (the one of the two, and the ridge, that rank the\n"
    "fitted schedules best by leave-one-out), and reports the Kendall tau of predicted\n"
    "against measured distances on held-out schedules. The calibration keeps the\n"
    "measurements. While it measures, OUT.partial keeps the distances so far: an\n"
    "interrupted fit (Ctrl-C stops it before the next network call) run again with\n"
    "the same settings goes on from them.\n"
    "refit: fits again to the measurements a calibration holds, without sampling.\n"
    "predict: the predicted distance of a schedule, in microseconds.\n"
    "The sampler options set the sampler every measurement uses (default ddim, 20\n"
    "steps, eta 0); the calibration records it, and the app loads\n"
    "NAME-predictor-TAG.json for its sampler (e.g. TAG ddpm100). predict uses the\n"
    "calibration's sampler and refuses another.\n"
    "\n";

OptionTable optionTable()
{
    const api::PredictorFitOptions defaults;
    return OptionTable{
               {"out", "FILE", "calibration JSON"},
               {"bins", "N", "timestep bins (refit: the calibration's)", std::to_string(defaults.bins)},
               {"fit", "N", "schedules to fit", std::to_string(defaults.fitSchedules)},
               {"held-out", "N", "schedules to test the ranking on", std::to_string(defaults.heldOutSchedules)},
               {"samples", "N", "images per schedule", std::to_string(defaults.samples)},
               {"schedule-seed", "N", "draws of the random schedules", std::to_string(defaults.scheduleSeed)},
               {"batch", "N", "images per batch", std::to_string(defaults.batch)},
               {"ridge", "R", "fixed ridge instead of the leave-one-out choice (with --target)"},
               {"target", "T", "distance or log-distance, with --ridge", "", "distance"},
           } +
           samplerOptions(defaults.sampler.steps).withHelp("seed", "noise seed shared by every schedule") +
           scheduleOptions() + featureOptions() + modelOptions();
}

void report(const std::string& out, const api::PredictorFitResult& result)
{
    const auto& c = result.calibration;
    std::printf("%s target, ridge %g (leave-one-out Kendall tau %.3f over the fitted schedules)\n", c.target.c_str(),
                c.ridge, c.crossValidatedKendallTau);
    std::printf("fitted on %d schedules (rmse %.3f)\n", c.fittedSchedules, c.fitRmse);
    std::printf("held-out Kendall tau %.3f over %d schedules; one prediction takes %.2f us\n", c.heldOutKendallTau,
                c.heldOutSchedules, result.predictMicroseconds);
    std::printf("wrote %s\n", out.c_str());
}

// --ridge R, or none for the leave-one-out choice (the API refuses one below 0, and --target without it).
std::optional<double> ridgeOption(const Args& args)
{
    if (!args.has("ridge"))
        return std::nullopt;
    return args.getDouble("ridge");
}

int fit(const Args& args)
{
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    const api::Model model = openApiModel(args);
    api::PredictorFitOptions options;
    options.features = featureOptionsFromArgs(args);
    options.bins = args.getInt("bins");
    options.fitSchedules = args.getInt("fit");
    options.heldOutSchedules = args.getInt("held-out");
    options.samples = args.getInt("samples");
    options.batch = args.getInt("batch");
    options.sampler = apiSamplerFromArgs(args);
    options.scheduleSeed = args.getSeed("schedule-seed");
    options.ridge = ridgeOption(args);
    options.target = args.given("target");
    options.out = *out;
    options.progress = [](const api::PredictorProgress& p) {
        std::fprintf(stderr, "\r  measured schedule %d/%d", p.done, p.total);
    };
    options.cancel = cancelOnInterrupt();
    const api::PredictorFitResult result = api::fitPredictor(model, options);
    std::fprintf(stderr, "\n");
    if (result.cancelled) {
        std::printf("stopped after %d of %d schedules; %s keeps their distances: the same command goes on from "
                    "them\n",
                    result.schedulesMeasured, options.fitSchedules + options.heldOutSchedules,
                    result.progressFile.c_str());
        return kInterruptedExit;
    }
    std::printf("measured %d schedules in %.0f s", result.calibration.measuredSchedules - result.keptSchedules,
                result.measureSeconds);
    if (result.keptSchedules > 0)
        std::printf(" (and %d kept from an interrupted fit)", result.keptSchedules);
    std::printf("\n");
    report(*out, result);
    return 0;
}

int refit(const Args& args)
{
    if (args.positionals().size() < 2)
        throw Error("usage: ddsm predictor refit CALIB.json --out new.json");
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    api::PredictorRefitOptions options;
    options.calibration = args.positionals()[1];
    options.ridge = ridgeOption(args);
    options.target = args.given("target");
    // 0: the calibration's bins, not fit's default.
    options.bins = args.getInt("bins", 0);
    options.out = *out;
    report(*out, api::refitPredictor(options));
    return 0;
}

int predict(const Args& args)
{
    if (args.positionals().size() < 2)
        throw Error("usage: ddsm predictor predict CALIB.json (--schedule S | --width W)");
    const api::Predictor predictor = api::openPredictor(args.positionals()[1]);
    const auto& c = predictor.info();
    api::PredictOptions options;
    options.schedule = scheduleRequestFromArgs(args);
    // The calibration's own sampler unless told otherwise (the API refuses another: a prediction holds for its own).
    options.sampler = apiSamplerFromArgs(args, c.calibratedSampler);
    options.note = [](const std::string& text) { std::fprintf(stderr, "%s\n", text.c_str()); };
    const api::Prediction prediction = api::predict(predictor, options);
    std::printf("predicted %s %.2f (a prediction, not a measurement: fitted to %d schedules of %lld samples,\n"
                "  held-out Kendall tau %.3f; %s; features %s; ref %s) in %.1f us\n",
                c.estimator.c_str(), prediction.value, c.fittedSchedules, static_cast<long long>(c.samples),
                c.heldOutKendallTau, c.sampler.c_str(), c.featureName.c_str(), c.reference.c_str(),
                prediction.microseconds);
    return 0;
}

}  // namespace

int runPredictor(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    // `fit` takes the model as its second positional: drop the subcommand.
    std::vector<std::string> rest = argv;
    const std::string sub = rest.empty() ? "" : rest.front();
    if (sub == "fit")
        rest.erase(rest.begin());
    const Args args(rest, table);
    if (args.wantsHelp() || sub.empty()) {
        std::printf("%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str());
        return sub.empty() && !args.wantsHelp() ? 2 : 0;
    }
    applyThreads(args);
    if (sub == "fit")
        return fit(args);
    if (sub == "predict")
        return predict(args);
    if (sub == "refit")
        return refit(args);
    throw Error("unknown predictor subcommand \"" + sub + "\" (fit, refit or predict)");
}

}  // namespace ddsm::cli
