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
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "evaluation/feature_extractor.h"
#include "family/open_denoiser.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"
#include "search/cost_model.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
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
    "A schedule may name another model file after '@' (SPEC@MODEL): it is sampled by\n"
    "that model from the same noise, image by image, e.g. width:1@models/old.safetensors\n"
    "(same image shape and T; its own widths). The FLOPs column is relative to MODEL's\n"
    "full width.\n"
    "\n"
    "  --samples N          images per schedule (default 1024)\n"
    "  --steps N            sampler steps, respaced evenly over T (default 50)\n"
    "  --sampler ddim|ddpm, --eta X   sampler (default ddim, eta 0)\n"
    "  --variance V         DDPM fixedlarge (default) or fixedsmall\n"
    "  --seed K             noise seed (default 0)\n"
    "  --no-clip            do not clamp predicted x0 to [-1, 1]\n"
    "  --batch N            images per network call (default 128)\n"
    "  --bootstrap R        bootstrap rounds of the intervals (default 200)\n"
    "  --json FILE          also write the results as JSON\n"
    "  --snap-widths        round schedule widths the model lacks to its nearest width\n"
    "                       (with a note) instead of refusing the schedule\n"
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm compare ...) each schedule's batches\n"
    "are dealt out round-robin and their features gathered in image order: the\n"
    "figures equal one process's. Rank 0 prints them and writes --json; its seconds\n"
    "are its own share's sampling time.\n";

// The width index of every sampler step; a schedule must use the model's widths.
std::vector<int> stepWidthIndices(const Args& args, const std::string& spec, const std::vector<int>& timesteps,
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
        // Refused (width and first t named) or snapped with --snap-widths.
        stepWidths = loadScheduleForModel(args, spec, T, widths).schedule.widthsAt(timesteps);
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
    valueOptions.insert(kDistributedValueOptions.begin(), kDistributedValueOptions.end());
    const Args args(argv, valueOptions, {"no-clip", "snap-widths"});
    if (args.wantsHelp()) {
        std::printf("%s%s%s", kHelp, kFeatureOptionsHelp, kDistributedOptionsHelp);
        return 0;
    }
    const DistributedConfig distributed = distributedConfig([&](const std::string& flag) { return args.get(flag); });
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

    // Schedules naming another model (SPEC@MODEL) are sampled by it.
    struct Row {
        std::string spec, modelPath;
    };
    std::vector<Row> rows;
    for (const auto& spec : specs) {
        const auto at = spec.rfind('@');
        if (at != std::string::npos && at + 1 < spec.size() && std::filesystem::exists(spec.substr(at + 1)))
            rows.push_back({spec.substr(0, at), spec.substr(at + 1)});
        else
            rows.push_back({spec, ""});
    }
    std::map<std::string, std::shared_ptr<Denoiser>> others;
    for (const auto& row : rows) {
        if (row.modelPath.empty() || others.count(row.modelPath))
            continue;
        auto other = openDenoiser(row.modelPath, c10::Device(c10::kCPU));
        if (other->imageSize() != config.imageSize || other->channels() != config.channels ||
            other->diffusion().T != config.diffusion.T)
            throw Error(row.modelPath + ": its images or T differ from " + modelDescription +
                        "'s, so the two cannot sample the same noise");
        others[row.modelPath] = other;
    }

    // Every schedule is checked before any sampling starts.
    std::vector<ScheduleToReevaluate> schedules;
    std::vector<double> gflops;
    for (size_t i = 0; i < rows.size(); ++i) {
        const Denoiser& model = rows[i].modelPath.empty() ? *denoiser : *others[rows[i].modelPath];
        const auto indices = stepWidthIndices(args, rows[i].spec, setup.timesteps, model.widths(), config.diffusion.T);
        schedules.push_back({specs[i], indices});
        double macs = 0;
        for (int w : indices)
            macs += model.macsPerImage(model.widths()[size_t(w)]);
        gflops.push_back(2e-9 * macs);
    }

    std::shared_ptr<FeatureExtractor> extractor = openFeatures(args);
    const GaussianStats reference = openReference(args, *extractor);
    SamplingEvaluatorOptions options;
    options.samples = args.getInt("samples", 1024);
    options.batchSize = args.getInt("batch", 128);
    options.sharePrefixes = false;
    options.featureName = extractor->name();
    if (options.samples < 2 || options.batchSize < 1)
        throw Error("--samples must be at least 2 and --batch at least 1");
    BootstrapOptions bootstrap;
    bootstrap.rounds = args.getInt("bootstrap", 200);
    bootstrap.seed = setup.sampler.seed;
    if (bootstrap.rounds < 2)
        throw Error("--bootstrap must be at least 2");
    // Joined once every argument has been checked, so a mistake fails fast on every rank.
    const auto group = ProcessGroup::create(distributed);
    const bool main = group->isMain();
    options.ranks = group.get();
    const FeatureFunction features = [extractor](const at::Tensor& x) { return extractor->features(x); };
    SamplingEvaluator evaluator(*denoiser, setup, features, reference, options);
    std::map<std::string, std::unique_ptr<SamplingEvaluator>> otherEvaluators;
    for (const auto& [path, other] : others) {
        SamplingSetup otherSetup = setup;
        otherSetup.widths = other->widths();
        otherEvaluators[path] = std::make_unique<SamplingEvaluator>(*other, otherSetup, features, reference, options);
    }
    for (size_t i = 0; i < rows.size(); ++i)
        if (!rows[i].modelPath.empty())
            schedules[i].evaluator = otherEvaluators[rows[i].modelPath].get();
    const double fullGflops = 2e-9 * denoiser->macsPerImage(config.widths.front()) * double(setup.timesteps.size());

    if (main) {
        std::printf("compare: %s, %s, %d samples each, %d threads\n  quality: %s vs %s\n", modelDescription.c_str(),
                    setup.sampler.toString().c_str(), options.samples, threads, evaluator.qualityName().c_str(),
                    reference.source.c_str());
        if (group->worldSize() > 1)
            std::printf("ranks: %d, batches of %d dealt out round-robin\n", group->worldSize(), options.batchSize);
        std::printf("%7s %28s %32s %9s  %s\n", "FLOPs", "FID [95%]", "minus first [95% paired]", "seconds",
                    "schedule");
        std::fflush(stdout);
    }

    nlohmann::json results = nlohmann::json::array();
    reevaluate(evaluator, schedules, bootstrap, [&](const Reevaluation& row) {
        const bool first = results.empty();
        const double relative = gflops[results.size()] / fullGflops;
        char fid[64], diff[64] = "";
        std::snprintf(fid, sizeof fid, "%.3f [%.3f, %.3f]", row.fid.value, row.fid.interval.low, row.fid.interval.high);
        if (!first)
            std::snprintf(diff, sizeof diff, "%+.3f [%+.3f, %+.3f]", row.differenceFromFirst,
                          row.differenceInterval.low, row.differenceInterval.high);
        std::printf("%7.3f %28s %32s %9.1f  %s\n", relative, fid, diff, row.samplingSeconds, row.label.c_str());
        std::fflush(stdout);
        results.push_back({{"schedule", row.label},
                           {"relative_flops", relative},
                           {"step_widths", widthsOf(row.stepWidthIndices, schedules[results.size()].evaluator
                                                                               ? schedules[results.size()].evaluator->setup().widths
                                                                               : config.widths)},
                           {"fid", row.fid.value},
                           {"fid_interval", {row.fid.interval.low, row.fid.interval.high}},
                           {"fid_minus_first", row.differenceFromFirst},
                           {"fid_minus_first_interval", {row.differenceInterval.low, row.differenceInterval.high}},
                           {"sampling_seconds", row.samplingSeconds}});
    });
    if (!main)
        return 0;
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
