// ddsm compare: FID of several schedules on the same noise, each against the
// first with a paired bootstrap interval of the difference. Scoring two
// schedules separately leaves the noise's share of each FID in their
// difference; on the same images it cancels, so the paired interval is the
// one that says whether a cheaper schedule is worse.
#include "commands.h"
#include "common.h"
#include "feature_options.h"
#include "schedule_options.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "evaluation/feature_extractor.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"
#include "search/cost_model.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm compare MODEL A B [C ...] [options]\n"
    "\n"
    "Samples the same images (same noise) under each schedule A, B, ... and prints\n"
    "each one's FID with its 95% interval and its difference from A with a paired\n"
    "bootstrap interval (the same resampled images for both). A schedule is a file\n"
    "(.json or the paper's search.txt) or width:W for a uniform width, e.g.\n"
    "  ddsm compare models/fmnist-default.safetensors width:1 searched.json --samples 1024\n"
    "\n"
    "  --samples N          images per schedule (default 1024)\n"
    "  --steps N            sampler steps, respaced evenly over T (default 50)\n"
    "  --sampler ddim|ddpm, --eta X   sampler (default ddim, eta 0)\n"
    "  --variance V         DDPM fixedlarge (default) or fixedsmall\n"
    "  --seed K             noise seed (default 0)\n"
    "  --no-clip            do not clamp predicted x0 to [-1, 1]\n"
    "  --batch N            images per network call (default 128)\n"
    "  --bootstrap R        bootstrap rounds of the intervals (default 200)\n"
    "  --json FILE          also write the results as JSON\n";

// The width index of every sampler step; a schedule must use the model's widths.
std::vector<int> stepWidthIndices(const std::string& spec, const std::vector<int>& timesteps,
                                  const std::vector<double>& widths, int T)
{
    std::vector<double> stepWidths;
    if (spec.rfind("width:", 0) == 0) {
        double width = 0;
        try {
            width = std::stod(spec.substr(6));
        } catch (const std::exception&) {
            throw Error(spec + ": expected width:W with a number W, e.g. width:0.75");
        }
        stepWidths.assign(timesteps.size(), width);
    } else {
        stepWidths = loadSchedule(spec, T).schedule.widthsAt(timesteps);
    }
    std::vector<int> indices;
    for (double w : stepWidths) {
        int found = -1;
        for (size_t i = 0; i < widths.size(); ++i)
            if (std::abs(widths[i] - w) < 1e-9)
                found = int(i);
        if (found < 0) {
            std::string list;
            for (double m : widths)
                list += (list.empty() ? "" : ", ") + formatWidth(m);
            throw Error(spec + ": width " + formatWidth(w) + " is not one of the model's widths (" + list + ")");
        }
        indices.push_back(found);
    }
    return indices;
}

}  // namespace

int runCompare(const std::vector<std::string>& argv)
{
    auto valueOptions = kFeatureValueOptions;
    valueOptions.insert({"samples", "steps", "sampler", "eta", "variance", "seed", "batch", "bootstrap", "json",
                         "threads", "init", "config", "seed-init"});
    const Args args(argv, valueOptions, {"no-clip"});
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, kFeatureOptionsHelp);
        return 0;
    }
    const int threads = applyThreads(args);
    if (args.positionals().size() < 3)
        throw Error("give a model and at least two schedules to compare (ddsm compare MODEL A B)");
    const std::vector<std::string> specs(args.positionals().begin() + 1, args.positionals().end());

    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    const ModelShape config = shapeOf(*denoiser);
    SamplingSetup setup;
    setup.sampler = samplerFromArgs(args, config.diffusion.T);
    setup.timesteps = respacedTimesteps(config.diffusion.T, setup.sampler.steps);
    setup.widths = config.widths;
    setup.layout = GeneLayout::parse("steps", setup.sampler.steps);

    // Every schedule is checked before any sampling starts.
    std::vector<ScheduleToReevaluate> schedules;
    for (const auto& spec : specs)
        schedules.push_back({spec, stepWidthIndices(spec, setup.timesteps, config.widths, config.diffusion.T)});

    std::shared_ptr<FeatureExtractor> extractor = openFeatures(args);
    const GaussianStats reference = openReference(args, *extractor);
    SamplingEvaluatorOptions options;
    options.samples = args.getInt("samples", 1024);
    options.batchSize = args.getInt("batch", 128);
    options.sharePrefixes = false;
    options.featureName = extractor->name();
    if (options.samples < 2 || options.batchSize < 1)
        throw Error("--samples must be at least 2 and --batch at least 1");
    SamplingEvaluator evaluator(*denoiser, setup, [extractor](const at::Tensor& x) { return extractor->features(x); },
                                reference, options);
    BootstrapOptions bootstrap;
    bootstrap.rounds = args.getInt("bootstrap", 200);
    bootstrap.seed = setup.sampler.seed;
    if (bootstrap.rounds < 2)
        throw Error("--bootstrap must be at least 2");

    const CostModel flops = flopsCostModel(*denoiser, config.widths);
    std::printf("compare: %s, %s, %d samples each, %d threads\n  quality: %s vs %s\n", modelDescription.c_str(),
                setup.sampler.toString().c_str(), options.samples, threads, evaluator.qualityName().c_str(),
                reference.source.c_str());
    std::printf("%7s %28s %32s %9s  %s\n", "FLOPs", "FID [95%]", "minus first [95% paired]", "seconds", "schedule");
    std::fflush(stdout);

    nlohmann::json results = nlohmann::json::array();
    reevaluate(evaluator, schedules, bootstrap, [&](const Reevaluation& row) {
        const bool first = results.empty();
        const double relative = flops.relative(row.stepWidthIndices);
        char fid[64], diff[64] = "";
        std::snprintf(fid, sizeof fid, "%.3f [%.3f, %.3f]", row.fid.value, row.fid.interval.low, row.fid.interval.high);
        if (!first)
            std::snprintf(diff, sizeof diff, "%+.3f [%+.3f, %+.3f]", row.differenceFromFirst,
                          row.differenceInterval.low, row.differenceInterval.high);
        std::printf("%7.3f %28s %32s %9.1f  %s\n", relative, fid, diff, row.samplingSeconds, row.label.c_str());
        std::fflush(stdout);
        results.push_back({{"schedule", row.label},
                           {"relative_flops", relative},
                           {"step_widths", widthsOf(row.stepWidthIndices, config.widths)},
                           {"fid", row.fid.value},
                           {"fid_interval", {row.fid.interval.low, row.fid.interval.high}},
                           {"fid_minus_first", row.differenceFromFirst},
                           {"fid_minus_first_interval", {row.differenceInterval.low, row.differenceInterval.high}},
                           {"sampling_seconds", row.samplingSeconds}});
    });
    if (const auto path = args.get("json")) {
        const nlohmann::json document{{"model", modelDescription},
                                      {"sampler", setup.sampler.toString()},
                                      {"samples", options.samples},
                                      {"quality", evaluator.qualityName()},
                                      {"reference", reference.source},
                                      {"level", bootstrap.level},
                                      {"schedules", results}};
        writeFileAtomically(*path, document.dump(1) + "\n");
        std::printf("wrote %s\n", path->c_str());
    }
    return 0;
}

}  // namespace ddsm::cli
