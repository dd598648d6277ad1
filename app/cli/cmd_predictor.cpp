// ddsm predictor: fit the instant distance predictor to measured schedules,
// or predict a schedule's distance from a calibration.
#include "commands.h"
#include "common.h"
#include "feature_options.h"
#include "schedule_options.h"

#include "base/error.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/predictor_file.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/predictor_calibration.h"
#include "schedule/schedule_file.h"

#include <torch/torch.h>

#include <chrono>
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
    "measurements.\n"
    "refit: fits again to the measurements a calibration holds, without sampling.\n"
    "predict: the predicted distance of a schedule, in microseconds.\n"
    "The sampler options set the sampler every measurement uses (default ddim, 20\n"
    "steps, eta 0); the calibration records it, and the app loads\n"
    "NAME-predictor-TAG.json for its sampler (e.g. TAG ddpm100). predict's steps\n"
    "default to the calibration's.\n"
    "\n";

OptionTable optionTable()
{
    return OptionTable{
               {"out", "FILE", "calibration JSON"},
               {"bins", "N", "timestep bins (refit: the calibration's)", "8"},
               {"fit", "N", "schedules to fit", "40"},
               {"held-out", "N", "schedules to test the ranking on", "20"},
               {"samples", "N", "images per schedule", "500"},
               {"schedule-seed", "N", "draws of the random schedules", "1"},
               {"batch", "N", "images per batch", "250"},
               {"ridge", "R", "fixed ridge instead of the leave-one-out choice (with --target)"},
               {"target", "T", "distance or log-distance, with --ridge", kDistanceTarget},
           } +
           samplerOptions(20).withHelp("seed", "noise seed shared by every schedule") +
           scheduleOptions() + featureOptions() + modelOptions();
}

void saveAndReport(const std::string& out, const CalibrationResult& result)
{
    savePredictor(out, result.calibration);
    const auto& c = result.calibration;
    std::printf("%s target, ridge %g (leave-one-out Kendall tau %.3f over the fitted schedules)\n", c.target.c_str(),
                c.ridge, c.crossValidatedKendallTau);
    std::printf("fitted on %d schedules (rmse %.3f)\n", c.fittedSchedules, c.fitRmse);
    std::printf("held-out Kendall tau %.3f over %d schedules; one prediction takes %.2f us\n", c.heldOutKendallTau,
                c.heldOutSchedules, result.predictMicroseconds);
    std::printf("wrote %s\n", out.c_str());
}

// --ridge R (>= 0), or -1 for the leave-one-out choice; --target goes with --ridge.
double ridgeOption(const Args& args)
{
    const auto ridge = args.given("ridge");
    if (!ridge) {
        if (args.has("target"))
            throw Error("--target needs --ridge (without both, the model is chosen by leave-one-out)");
        return -1;
    }
    const double value = args.getDouble("ridge");
    if (!(value >= 0))
        throw Error("--ridge must be >= 0, got " + *ridge);
    return value;
}

int fit(const Args& args)
{
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    auto extractor = openFeatures(args);
    const auto reference = openReference(args, *extractor);
    CalibrationSettings settings;
    settings.bins = args.getInt("bins");
    settings.fitSchedules = args.getInt("fit");
    settings.heldOutSchedules = args.getInt("held-out");
    settings.samples = args.getInt("samples");
    settings.batch = args.getInt("batch");
    settings.sampler = samplerFromArgs(args, denoiser->diffusion().T);
    settings.scheduleSeed = args.getSeed("schedule-seed");
    settings.ridge = ridgeOption(args);
    settings.target = args.get("target");
    const auto result = calibratePredictor(*denoiser, *extractor, reference, settings, modelDescription,
                                           [](int done, int total) {
                                               std::fprintf(stderr, "\r  measured schedule %d/%d", done, total);
                                           });
    std::fprintf(stderr, "\n");
    std::printf("measured %zu schedules in %.0f s\n",
                result.calibration.fitted.size() + result.calibration.heldOut.size(), result.measureSeconds);
    saveAndReport(*out, result);
    return 0;
}

int refit(const Args& args)
{
    if (args.positionals().size() < 2)
        throw Error("usage: ddsm predictor refit CALIB.json --out new.json");
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    const auto old = loadPredictor(args.positionals()[1]);
    const double ridge = ridgeOption(args);
    const std::string target = args.get("target");
    // 0: the calibration's bins, not fit's default.
    saveAndReport(*out, refitPredictor(old, args.getInt("bins", 0), ridge, target));
    return 0;
}

int predict(const Args& args)
{
    if (args.positionals().size() < 2)
        throw Error("usage: ddsm predictor predict CALIB.json (--schedule S | --width W)");
    const DistancePredictor predictor(loadPredictor(args.positionals()[1]));
    const auto& c = predictor.calibration();
    // The calibration's own sampler steps: a prediction holds only for them.
    const ScheduleChoice choice = chooseSchedule(args, c.T, c.widths, c.steps);
    const auto start = std::chrono::steady_clock::now();
    const double value = predictor.predict(choice.document.schedule.widths());
    const double micros = 1e6 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("predicted %s %.2f (a prediction, not a measurement: fitted to %d schedules of %lld samples,\n"
                "  held-out Kendall tau %.3f; %s steps %d; features %s; ref %s) in %.1f us\n",
                c.estimator.c_str(), value, c.fittedSchedules, static_cast<long long>(c.samples), c.heldOutKendallTau,
                c.sampler.c_str(), c.steps, c.featureName.c_str(), c.reference.c_str(), micros);
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
