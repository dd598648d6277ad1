// ddsm search: NSGA-II search for a step-aware schedule under a cost budget,
// with its Pareto front, a checkpoint per generation, and the chosen schedule
// re-evaluated on fresh noise against full width.
#include "commands.h"
#include "common.h"
#include "schedule_options.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"
#include "base/sha256.h"
#include "data/fashion_mnist.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "engine/slimmable_denoiser.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/feature_network.h"
#include "engine/slimmable_unet.h"
#include "metrics/stats_file.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"
#include "search/evolutionary_search.h"
#include "search/latency_profile.h"
#include "search/pareto_report.h"
#include "search/pixel_features.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"
#include "search/schedule_export.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm search MODEL --out DIR [options]\n"
    "\n"
    "Multi-objective evolutionary search (NSGA-II) for a step-aware schedule:\n"
    "quality (FID against reference statistics, lower is better) against cost\n"
    "(FLOPs, or this machine's measured latency), relative to full width. Every\n"
    "candidate is sampled from the same noise; evaluations are cached by genome and\n"
    "candidates resume from shared sampler prefixes. The best schedule under the\n"
    "budget is then re-evaluated on fresh noise with more samples, next to full width.\n"
    "\n"
    "  --budget B                cost budget relative to full width (default 0.5)\n"
    "  --cost flops|latency      cost objective (default flops); latency is measured once\n"
    "  --population P            (default 32)\n"
    "  --generations G           generations after the initial one (default 20)\n"
    "  --samples-per-candidate M images per candidate at first (default 128)\n"
    "  --score paired|fid        paired: FID minus full width's FID on the same images, with\n"
    "                            a paired standard error (default); fid: absolute FID\n"
    "  --race-max-samples M      racing: candidates under the budget that no cheaper one beats\n"
    "                            by --race-z standard errors get twice the images, up to M\n"
    "                            (default 8 x samples-per-candidate with paired scores; 0 = off)\n"
    "  --race-z Z                (default 2)\n"
    "  --steps N                 sampler steps (default 50)\n"
    "  --sampler ddim|ddpm, --eta X   sampler (default ddim, eta 0)\n"
    "  --seed S                  search noise and evolution seed (default 0)\n"
    "  --granularity G           steps (a gene per step) or bins:K (default steps)\n"
    "  --crossover uniform|one-point, --crossover-prob X (default uniform, 0.9)\n"
    "  --mutation P              per-gene mutation probability (default 1/genes)\n"
    "  --init-schedules F1,F2    schedule files added to the initial population (of the\n"
    "                            model's widths; --snap-widths rounds others to the nearest)\n"
    "  --features F              feature network: \"default\" (the shipped Fashion-MNIST\n"
    "                            classifier), a classifier .safetensors, a TorchScript file, or\n"
    "                            \"pixels\": 7x7 average-pooled pixels, a crude fallback with no\n"
    "                            network (default: \"default\" when shipped, else \"pixels\")\n"
    "  --reference STATS.npz     reference statistics in that feature space (default: the\n"
    "                            shipped statistics for the default features, else from --data)\n"
    "  --data DIR                Fashion-MNIST for reference statistics (default the Debian dataset)\n"
    "  --reference-count N       reference images from --data (default 10000)\n"
    "  --predictor CAL.json      pre-screen offspring with a distance predictor (ddsm predictor fit)\n"
    "  --prescreen K             with --predictor: breed K offspring per one evaluated (default 3)\n"
    "  --kid                     also measure KID (needs --data)\n"
    "  --batch B                 images per network call (default 128)\n"
    "  --prefix-cache-mb MB      memory for shared sampler states (default 1024)\n"
    "  --final-samples M2        re-evaluation images (default 4 x M)\n"
    "  --final-seed S2           re-evaluation noise (default S + 1000003)\n"
    "  --finalists K             the K best under the budget (by search score) are scored\n"
    "                            again on validation noise (seed S2 + 1, M2 images); the\n"
    "                            best there is re-evaluated (default 1: no validation)\n"
    "  --bootstrap R             bootstrap rounds of the intervals (default 200)\n"
    "  --resume                  continue from DIR/checkpoint.json\n"
    "\n"
    "Writes DIR/checkpoint.json (every generation), pareto.json, pareto.csv, pareto.png,\n"
    "best.json (a schedule file with costs and metrics) and reevaluation.json.\n"
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm search ...) every rank runs the same\n"
    "search; each candidate's batches of images are dealt out round-robin and their\n"
    "features gathered in image order, and every rank keeps rank 0's scores, so the\n"
    "front equals one process's. Rank 0 measures latency, prints and writes every\n"
    "file; --resume needs DIR on storage every rank sees.\n";

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty())
            out.push_back(item);
    return out;
}

at::Tensor featuresInBatches(const at::Tensor& images, const FeatureFunction& features, int batch)
{
    std::vector<at::Tensor> parts;
    for (int64_t start = 0; start < images.size(0); start += batch)
        parts.push_back(features(images.slice(0, start, std::min<int64_t>(images.size(0), start + batch))).to(torch::kDouble));
    return torch::cat(parts);
}

CostModel costModelFor(const std::string& kind, Denoiser& denoiser, const std::vector<double>& widths,
                       const std::filesystem::path& out, bool resume, int batch, ProcessGroup& group)
{
    if (kind == "flops")
        return flopsCostModel(denoiser, widths);
    if (kind != "latency")
        throw Error("--cost must be \"flops\" or \"latency\", got \"" + kind + "\"");
    if (group.worldSize() > 1) {
        // Rank 0's figures on every rank: the ranks must optimise the same numbers.
        CostModel model{"latency", "ms", std::vector<double>(widths.size(), 0.0)};
        if (group.isMain())
            model = costModelFor(kind, denoiser, widths, out, resume, batch, *ProcessGroup::single());
        auto perWidth = torch::tensor(model.perWidth, torch::kDouble);
        group.broadcast({perWidth}, "sharing rank 0's latency per width");
        model.perWidth = std::vector<double>(perWidth.data_ptr<double>(), perWidth.data_ptr<double>() + perWidth.numel());
        return model;
    }
    // The measured profile is kept beside the checkpoint: a resumed search
    // must optimise the same numbers.
    const auto path = out / "latency.json";
    if (resume && std::filesystem::exists(path)) {
        const JsonFields in(path.string());
        const auto j = parseJson(readWholeFile(path.string()), path.string());
        if (!j.is_object())
            in.fail("expected a JSON object, found " + describeJson(j));
        auto perWidth = in.get<std::vector<double>>(j, "", "ms_per_image_step");
        if (perWidth.size() != widths.size())
            in.failField("ms_per_image_step", "has " + std::to_string(perWidth.size()) + " entries, expected one per width (" +
                                                  std::to_string(widths.size()) + ")");
        return {"latency", "ms", std::move(perWidth)};
    }
    std::fprintf(stderr, "measuring latency per width (batch %d) ...\n", batch);
    LatencyOptions options;
    options.batchSize = batch;
    const auto model = measureLatencyCostModel(denoiser, widths, options);
    writeFileAtomically(path.string(), nlohmann::json{{"widths", widths}, {"ms_per_image_step", model.perWidth}}.dump(1));
    return model;
}

// The distance predictor as a pre-screen: a genome becomes a schedule on the
// training-timestep axis, which the predictor reads.
class ScheduleDistancePredictor final : public CandidatePredictor {
public:
    ScheduleDistancePredictor(PredictorCalibration calibration, const SamplingSetup& setup, int T)
        : predictor_(std::move(calibration)), setup_(setup), T_(T)
    {
    }
    std::vector<double> predictQuality(const std::vector<Genome>& genomes) override
    {
        std::vector<double> out;
        for (const auto& g : genomes) {
            const auto stepWidths = widthsOf(setup_.layout.expand(g), setup_.widths);
            out.push_back(predictor_.predict(scheduleFromStepWidths(T_, setup_.timesteps, stepWidths).widths()));
        }
        return out;
    }

private:
    DistancePredictor predictor_;
    const SamplingSetup& setup_;
    int T_;
};

std::string describeWidths(const std::vector<int>& indices, const std::vector<double>& widths)
{
    std::string text;
    for (int i : indices)
        text += formatWidth(widths[i]).substr(0, 4) + " ";
    return text;
}

}  // namespace

int runSearch(const std::vector<std::string>& argv)
{
    std::set<std::string> valueOptions{
        "budget", "cost", "population", "generations", "samples-per-candidate", "steps", "sampler", "eta", "seed",
        "granularity", "crossover", "crossover-prob", "mutation", "init-schedules", "reference", "data",
        "reference-count", "features", "batch", "prefix-cache-mb", "final-samples", "final-seed", "finalists",
        "bootstrap", "predictor", "prescreen", "out", "score", "race-max-samples", "race-z", "threads", "init",
        "config", "seed-init"};
    valueOptions.insert(kDistributedValueOptions.begin(), kDistributedValueOptions.end());
    const Args args(argv, valueOptions, {"resume", "kid", "snap-widths"});
    if (args.wantsHelp()) {
        std::printf("%s%s%s", kHelp, kModelOptionsHelp, kDistributedOptionsHelp);
        return 0;
    }
    const DistributedConfig distributed = distributedConfig([&](const std::string& flag) { return args.get(flag); });
    const int threads = applyThreads(args);
    const auto outArg = args.get("out");
    if (!outArg)
        throw Error("--out DIR is required");
    const auto group = ProcessGroup::create(distributed);
    const bool main = group->isMain();
    const std::filesystem::path out(*outArg);
    std::filesystem::create_directories(out);
    const bool resume = args.has("resume");

    std::string modelDescription;
    auto denoiser = openModel(args, &modelDescription);
    const ModelShape config = shapeOf(*denoiser);
    const std::vector<double> widths = config.widths;
    const int T = config.diffusion.T;

    SamplingSetup setup;
    setup.sampler = samplerFromArgs(args, T);
    setup.timesteps = respacedTimesteps(T, setup.sampler.steps);
    setup.widths = widths;
    setup.layout = GeneLayout::parse(args.get("granularity", "steps"), setup.sampler.steps);

    const int batch = args.getInt("batch", 128);
    const CostModel cost = costModelFor(args.get("cost", "flops"), *denoiser, widths, out, resume, batch, *group);

    // Features and reference statistics.
    std::string featureSpec = args.get("features", "");
    if (featureSpec.empty())
        featureSpec = std::filesystem::exists(defaultFeatureClassifierPath()) ? "default" : "pixels";
    std::shared_ptr<FeatureExtractor> extractor;
    FeatureFunction features;
    std::string featureName;
    if (featureSpec == "pixels") {
        features = [](const at::Tensor& images) { return downsampledPixelFeatures(images, 7); };
        featureName = downsampledPixelFeatureName(7);
        if (main)
            std::fprintf(stderr, "features: %s (fallback: average-pooled pixels, not a feature network)\n",
                     featureName.c_str());
    } else {
        extractor = openFeatureExtractor(featureSpec);
        features = [extractor](const at::Tensor& images) { return extractor->features(images); };
        featureName = extractor->name();
    }
    GaussianStats reference;
    at::Tensor kidReference;
    std::string referencePath = args.get("reference", "");
    if (referencePath.empty() && featureSpec == "default" && std::filesystem::exists(defaultReferenceStatsPath()))
        referencePath = defaultReferenceStatsPath();
    if (!referencePath.empty()) {
        reference = loadStatsNpz(referencePath);
        if (!reference.featureName.empty() && reference.featureName != featureName)
            throw Error(referencePath + ": statistics of \"" + reference.featureName + "\" features, the search uses \"" +
                        featureName + "\"");
    }
    if (!reference.mu.defined() || args.has("kid")) {
        const auto data = loadFashionMnist(args.get("data", kFashionMnistDefaultDir), FashionMnistSplit::Train,
                                           args.getInt("reference-count", 10000));
        if (data.images.size(1) != config.channels || data.images.size(2) != config.imageSize)
            throw Error("the reference images do not match the model's image shape");
        const auto realFeatures = featuresInBatches(data.images, features, 512);
        if (!reference.mu.defined()) {
            reference = computeStats(realFeatures);
            reference.featureName = featureName;
            reference.source = "fashion-mnist-train-" + std::to_string(realFeatures.size(0));
        }
        if (args.has("kid"))
            kidReference = realFeatures.slice(0, 0, std::min<int64_t>(realFeatures.size(0), 2000));
    }

    SamplingEvaluatorOptions evalOptions;
    evalOptions.samples = args.getInt("samples-per-candidate", 128);
    const std::string scoreKind = args.get("score", "paired");
    if (scoreKind != "paired" && scoreKind != "fid")
        throw Error("--score must be \"paired\" or \"fid\", got \"" + scoreKind + "\"");
    evalOptions.pairedWithFullWidth = scoreKind == "paired";
    evalOptions.batchSize = batch;
    evalOptions.prefixCacheBytes = size_t(args.getInt64("prefix-cache-mb", 1024)) << 20;
    evalOptions.kidReferenceFeatures = kidReference;
    evalOptions.featureName = featureName;
    evalOptions.ranks = group.get();
    SamplingEvaluator evaluator(*denoiser, setup, features, reference, evalOptions);

    SearchSettings settings;
    settings.population = args.getInt("population", 32);
    settings.generations = args.getInt("generations", 20);
    settings.seed = setup.sampler.seed;
    settings.widthCount = int(widths.size());
    settings.layout = setup.layout;
    settings.crossover = parseCrossover(args.get("crossover", "uniform"));
    settings.crossoverProbability = args.getDouble("crossover-prob", 0.9);
    settings.mutationProbability = args.getDouble("mutation", 0.0);
    settings.budget = args.getDouble("budget", 0.5);
    settings.racing.maxSamples = args.getInt("race-max-samples", evalOptions.pairedWithFullWidth ? 8 * evalOptions.samples : 0);
    settings.racing.z = args.getDouble("race-z", 2.0);
    if (settings.racing.enabled() && !evalOptions.pairedWithFullWidth)
        throw Error("racing compares scores on different numbers of images: it needs --score paired");
    if (settings.racing.enabled() && (evalOptions.samples % batch != 0 || settings.racing.maxSamples % batch != 0))
        throw Error("racing adds whole batches: --samples-per-candidate and --race-max-samples must be multiples of "
                    "--batch (" + std::to_string(batch) + ")");
    for (const auto& path : splitList(args.get("init-schedules", ""))) {
        const auto document = loadScheduleForModel(args, path, T, widths);
        settings.initialGenomes.push_back(
            setup.layout.fromStepWidths(document.schedule.widthsAt(setup.timesteps), widths));
    }
    const std::string modelSha = args.positionals().empty() ? "" : sha256OfFile(args.positionals().front());
    settings.context = nlohmann::json{{"model", modelDescription},
                                      {"model_sha256", modelSha},
                                      {"sampler", setup.sampler.toString()},
                                      {"quality", evaluator.qualityName()},
                                      {"reference", reference.source},
                                      {"batch", batch},
                                      {"cost", cost.kind},
                                      {"cost_per_width", cost.perWidth}}
                           .dump();

    std::unique_ptr<CandidatePredictor> predictor;
    if (const auto path = args.get("predictor")) {
        predictor = std::make_unique<ScheduleDistancePredictor>(loadPredictor(*path), setup, T);
        settings.prescreenFactor = args.getInt("prescreen", 3);
        settings.context += " predictor " + sha256OfFile(*path);
    }
    const RelativeCost relativeCost = [&](const Genome& g) { return cost.relative(setup.layout.expand(g)); };
    EvolutionarySearch search(settings, relativeCost, evaluator);
    search.setPredictor(predictor.get());
    const auto checkpoint = (out / "checkpoint.json").string();
    // The ranks must resume from the same generation, which rank 0 wrote.
    const bool resumes = resume && std::filesystem::exists(checkpoint);
    if (group->allReduceMax(resumes ? 1 : 0, "agreeing whether to resume") != (resumes ? 1 : 0))
        throw Error("rank " + std::to_string(group->rank()) + " cannot see " + checkpoint +
                    ", which rank 0 resumes from: --out must be on storage every rank sees");
    if (resumes) {
        search.resume(checkpoint);
        if (main)
            std::fprintf(stderr, "resumed after generation %d\n", search.completedGenerations());
    }
    if (main)
        search.setCheckpointPath(checkpoint);

    if (main) {
        if (group->worldSize() > 1)
            std::printf("ranks: %d, each candidate's batches of %d dealt out round-robin\n", group->worldSize(), batch);
        std::printf("search: %s, %s, %d threads\n  quality: %s vs %s\n  cost: %s per width [", modelDescription.c_str(),
                    setup.sampler.toString().c_str(), threads, evaluator.qualityName().c_str(), reference.source.c_str(),
                    cost.kind.c_str());
        for (size_t i = 0; i < cost.perWidth.size(); ++i)
            std::printf("%s%s: %.4g %s", i ? ", " : "", formatWidth(widths[i]).c_str(), cost.perWidth[i], cost.unit.c_str());
        std::printf("] per image-step\n  population %d, generations %d, genes %d (%s), budget %.3g\n", settings.population,
                    settings.generations, settings.layout.genes(), settings.layout.description().c_str(), settings.budget);
        std::fflush(stdout);
    }

    search.run(nullptr, [&](const GenerationReport& r) {
        if (!main)
            return;
        char best[128] = "none under budget";
        if (r.best)
            std::snprintf(best, sizeof best, "%s %.3f +- %.2f (%lld images) at cost %.3f",
                          evalOptions.pairedWithFullWidth ? "FID-full" : "FID", r.best->evaluation.quality,
                          r.best->evaluation.uncertainty, static_cast<long long>(r.best->evaluation.samples), r.best->cost);
        const double hit = r.cacheLookups ? 100.0 * double(r.cacheHits) / double(r.cacheLookups) : 0;
        std::printf("gen %3d/%d  best<=%.2f: %s  front %zu  new %d  cache hit %.0f%%  prefix reuse %.0f%% (~%.0f s saved)"
                    "  elapsed %.0f s\n",
                    r.generation, r.generations, r.budget, best, r.front.size(), r.evaluatedThisGeneration,
                    r.raisedThisGeneration, hit,
                    100 * r.evaluator.reuseRate(), r.evaluator.secondsSavedEstimate(), r.elapsedSeconds);
        std::fflush(stdout);
    });

    ParetoReport report;
    report.qualityName = evaluator.qualityName();
    report.cost = cost;
    report.budget = settings.budget;
    report.layout = setup.layout;
    report.widths = widths;
    report.evaluated = search.evaluated();
    report.front = search.front();
    report.best = search.best();
    if (main) {
        writeParetoJson((out / "pareto.json").string(), report);
        writeParetoCsv((out / "pareto.csv").string(), report);
        drawParetoPlot((out / "pareto.png").string(), report);
    }
    if (!report.best) {
        if (main)
            std::printf("no evaluated schedule is within the budget %.3g\n", settings.budget);
        return 1;
    }

    // Re-evaluation on fresh noise, without prefix sharing so the times are real.
    SamplingSetup fresh = setup;
    fresh.sampler.seed = args.getSeed("final-seed", setup.sampler.seed + 1000003);
    SamplingEvaluatorOptions finalOptions = evalOptions;
    finalOptions.samples = args.getInt("final-samples", 4 * evalOptions.samples);
    finalOptions.sharePrefixes = false;
    SamplingEvaluator finalEvaluator(*denoiser, fresh, features, reference, finalOptions);
    BootstrapOptions bootstrap;
    bootstrap.rounds = args.getInt("bootstrap", 200);
    bootstrap.seed = fresh.sampler.seed;
    // Small-sample search scores favour candidates whose noise happened to suit
    // them. Scoring several finalists on separate validation noise, and
    // reporting the chosen one on the re-evaluation noise, keeps the choice
    // and the reported figure independent.
    const int finalistCount = args.getInt("finalists", 1);
    if (finalistCount < 1)
        throw Error("--finalists must be at least 1");
    const auto finalists = bestUnderBudget(report.evaluated, settings.budget, size_t(finalistCount));
    Candidate chosen = finalists.front();
    nlohmann::json finalistsJson = nlohmann::json::array();
    if (finalists.size() > 1) {
        SamplingSetup validation = fresh;
        validation.sampler.seed = fresh.sampler.seed + 1;
        SamplingEvaluatorOptions validationOptions = finalOptions;
        validationOptions.sharePrefixes = true;  // bit-identical images; only the scores matter here
        SamplingEvaluator validator(*denoiser, validation, features, reference, validationOptions);
        std::vector<Genome> genomes;
        for (const auto& f : finalists)
            genomes.push_back(f.genome);
        if (main) {
            std::printf("validating %zu finalists on %d images (seed %llu) ...\n", finalists.size(),
                        validationOptions.samples, static_cast<unsigned long long>(validation.sampler.seed));
            std::fflush(stdout);
        }
        const auto scores = validator.evaluate(genomes);
        size_t pick = 0;
        for (size_t i = 0; i < finalists.size(); ++i) {
            if (scores[i].quality < scores[pick].quality)
                pick = i;
            finalistsJson.push_back({{"step_widths", widthsOf(setup.layout.expand(finalists[i].genome), widths)},
                                     {"relative_cost", finalists[i].cost},
                                     {"search_quality", finalists[i].evaluation.quality},
                                     {"search_samples", finalists[i].evaluation.samples},
                                     {"validation_quality", scores[i].quality}});
            if (main)
                std::printf("  finalist %zu  cost %.3f  search score %.3f (%lld images)  validation score %.3f  %s\n",
                            i + 1, finalists[i].cost, finalists[i].evaluation.quality,
                            static_cast<long long>(finalists[i].evaluation.samples), scores[i].quality,
                            describeWidths(setup.layout.expand(finalists[i].genome), widths).c_str());
        }
        chosen = finalists[pick];
        if (main)
            std::printf("chosen: finalist %zu\n", pick + 1);
    }
    const auto bestSteps = setup.layout.expand(chosen.genome);
    const auto results = reevaluate(finalEvaluator, {{"full width", std::vector<int>(setup.sampler.steps, 0)},
                                                      {"best under budget", bestSteps}},
                                    bootstrap);
    if (!main)
        return 0;  // rank 0 alone scores the re-evaluation and writes
    nlohmann::json reevaluation = nlohmann::json::array();
    for (const auto& r : results) {
        const double relative = cost.relative(r.stepWidthIndices);
        reevaluation.push_back({{"label", r.label},
                                {"step_widths", widthsOf(r.stepWidthIndices, widths)},
                                {"relative_cost", relative},
                                {"fid", r.fid.value},
                                {"fid_interval", {r.fid.interval.low, r.fid.interval.high}},
                                {"fid_minus_full", r.differenceFromFirst},
                                {"fid_minus_full_interval", {r.differenceInterval.low, r.differenceInterval.high}},
                                {"kid", std::isnan(r.kid) ? nlohmann::json(nullptr) : nlohmann::json(r.kid)},
                                {"sampling_seconds", r.samplingSeconds},
                                {"speedup_vs_full", results[0].samplingSeconds / r.samplingSeconds}});
        std::printf("%-18s cost %.3f  FID %.3f [%.3f, %.3f]  minus full %+.3f [%+.3f, %+.3f]  %.1f s (%.2fx)  %s\n",
                    r.label.c_str(), relative, r.fid.value, r.fid.interval.low, r.fid.interval.high,
                    r.differenceFromFirst, r.differenceInterval.low, r.differenceInterval.high, r.samplingSeconds,
                    results[0].samplingSeconds / r.samplingSeconds,
                    describeWidths(r.stepWidthIndices, widths).c_str());
    }
    const nlohmann::json finalInfo{{"quality", finalEvaluator.qualityName()},
                                   {"reference", reference.source},
                                   {"level", bootstrap.level},
                                   {"schedules", reevaluation},
                                   {"finalists", finalistsJson}};
    writeFileAtomically((out / "reevaluation.json").string(), finalInfo.dump(1) + "\n");

    const auto& best = results[1];
    ScheduleDocument document;
    document.schedule = scheduleFromStepWidths(T, setup.timesteps, widthsOf(bestSteps, widths));
    document.name = "search-best-budget-" + formatWidth(settings.budget);
    document.sampler = SamplerRecord{setup.sampler.kind, setup.sampler.steps, setup.sampler.eta, fresh.sampler.seed};
    document.model = ModelIdentity{modelDescription, modelSha};
    const double gflops = 2e-9 * [&] {
        double macs = 0;
        for (int i : bestSteps)
            macs += denoiser->macsPerImage(widths[i]);
        return macs;
    }();
    document.costs_json = nlohmann::json{{"objective", cost.kind},
                                         {"relative_cost", cost.relative(bestSteps)},
                                         {"gflops_per_image", gflops},
                                         {"flops_saving_vs_full", 1.0 - flopsCostModel(*denoiser, widths).relative(bestSteps)},
                                         {"measured_speedup_vs_full", results[0].samplingSeconds / best.samplingSeconds}}
                              .dump();
    document.metrics_json = nlohmann::json{{"fid", best.fid.value},
                                           {"fid_interval", {best.fid.interval.low, best.fid.interval.high}},
                                           {"fid_full_width", results[0].fid.value},
                                           {"fid_minus_full", best.differenceFromFirst},
                                           {"fid_minus_full_interval", {best.differenceInterval.low, best.differenceInterval.high}},
                                           {"samples", finalOptions.samples},
                                           {"seed", fresh.sampler.seed},
                                           {"features", featureName},
                                           {"reference", reference.source},
                                           {"search_score", chosen.evaluation.quality},
                                           {"search_score_kind", evaluator.qualityName()},
                                           {"search_samples", chosen.evaluation.samples},
                                           {"finalists", finalists.size()}}
                                .dump();
    saveSchedule((out / "best.json").string(), document);
    std::printf("wrote %s: pareto.json, pareto.csv, pareto.png, best.json, reevaluation.json\n", out.string().c_str());
    return 0;
}

}  // namespace ddsm::cli
