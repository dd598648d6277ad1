// The schedule search behind `ddsm search` and the app's Search dock: the
// cost model (counted FLOPs, or latency measured once and kept beside the
// checkpoint), features and reference statistics, NSGA-II with an optional
// predictor pre-screen, then finalists validated and the chosen schedule
// re-evaluated on fresh noise next to full width.
#include "api/api_internal.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/json_fields.h"
#include "base/sha256.h"
#include "data/fashion_mnist.h"
#include "distributed/process_group.h"
#include "engine/denoiser.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/predictor_file.h"
#include "evaluation/feature_network.h"
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
#include <filesystem>

namespace ddsm::api {

namespace {

at::Tensor featuresInBatches(const at::Tensor& images, const FeatureFunction& features, int batch)
{
    std::vector<at::Tensor> parts;
    for (int64_t start = 0; start < images.size(0); start += batch)
        parts.push_back(features(images.slice(0, start, std::min<int64_t>(images.size(0), start + batch))).to(torch::kDouble));
    return torch::cat(parts);
}

CostModel costModelFor(const SearchOptions& options, Denoiser& denoiser, const std::vector<double>& widths,
                       ProcessGroup& group, const Notes& note)
{
    const std::string& kind = options.cost;
    if (kind == "flops")
        return flopsCostModel(denoiser, widths);
    if (kind != "latency")
        throw Error("--cost must be \"flops\" or \"latency\", got \"" + kind + "\"");
    if (!options.latencyMsPerWidth.empty()) {
        if (options.latencyMsPerWidth.size() != widths.size())
            throw Error("the latency profile has " + std::to_string(options.latencyMsPerWidth.size()) +
                        " widths, the model " + std::to_string(widths.size()));
        return {"latency", "ms", options.latencyMsPerWidth};
    }
    if (group.worldSize() > 1) {
        // Rank 0's figures on every rank: the ranks must optimise the same numbers.
        CostModel model{"latency", "ms", std::vector<double>(widths.size(), 0.0)};
        if (group.isMain())
            model = costModelFor(options, denoiser, widths, *ProcessGroup::single(), note);
        auto perWidth = torch::tensor(model.perWidth, torch::kDouble);
        group.broadcast({perWidth}, "sharing rank 0's latency per width");
        model.perWidth = std::vector<double>(perWidth.data_ptr<double>(), perWidth.data_ptr<double>() + perWidth.numel());
        return model;
    }
    // The measured profile is kept beside the checkpoint: a resumed search
    // must optimise the same numbers.
    const std::filesystem::path path = options.outDir.empty() ? std::filesystem::path()
                                                              : std::filesystem::path(options.outDir) / "latency.json";
    if (options.resume && !path.empty() && std::filesystem::exists(path)) {
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
    note("measuring latency per width (batch " + std::to_string(options.batch) + ") ...");
    LatencyOptions latency;
    latency.batchSize = options.batch;
    const auto model = measureLatencyCostModel(denoiser, widths, latency);
    if (!path.empty())
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

}  // namespace

SearchResult search(const Model& model, const SearchOptions& options)
{
    torch::NoGradGuard noGrad;
    const Reporter<SearchProgress> notify(options.progress);
    const auto group = ProcessGroup::create(options.distributed);
    const bool main = group->isMain();
    const Reporter<SearchProgress> notesOfRankZero(options.progress, main);
    const Notes note = notesOfRankZero.notes();
    const bool writes = !options.outDir.empty();
    const std::filesystem::path out(options.outDir);
    if (writes)
        std::filesystem::create_directories(out);

    Denoiser& denoiser = *model.denoiser();
    const std::vector<double> widths = model.widths();
    const int T = model.T();

    SamplingSetup setup;
    setup.sampler = engineSampler(options.sampler);
    setup.sampler.validate(T);
    setup.timesteps = respacedTimesteps(T, setup.sampler.steps);
    setup.widths = widths;
    setup.layout = GeneLayout::parse(options.granularity, setup.sampler.steps);

    const int batch = options.batch;
    const CostModel cost = costModelFor(options, denoiser, widths, *group, note);
    const CostModel flops = cost.kind == "flops" ? cost : flopsCostModel(denoiser, widths);
    const auto pointOf = [&](const Candidate& c) {
        SearchPoint p;
        const auto steps = setup.layout.expand(c.genome);
        p.stepWidths = widthsOf(steps, widths);
        p.relativeCost = c.cost;
        p.gflopsPerImage = flops.absolute(steps);
        p.quality = c.evaluation.quality;
        p.uncertainty = c.evaluation.uncertainty;
        p.samples = c.evaluation.samples;
        return p;
    };

    // Features and reference statistics.
    std::string featureSpec = options.features;
    if (featureSpec.empty())
        featureSpec = std::filesystem::exists(defaultFeatureClassifierPath()) ? "default" : "pixels";
    std::shared_ptr<FeatureExtractor> extractor;
    FeatureFunction features;
    std::string featureName;
    if (featureSpec == "pixels") {
        features = [](const at::Tensor& images) { return downsampledPixelFeatures(images, 7); };
        featureName = downsampledPixelFeatureName(7);
        note("features: " + featureName + " (fallback: average-pooled pixels, not a feature network)");
    } else {
        extractor = openFeatureExtractor(featureSpec);
        features = [extractor](const at::Tensor& images) { return extractor->features(images); };
        featureName = extractor->name();
    }
    GaussianStats reference;
    at::Tensor kidReference;
    std::string referencePath = options.reference;
    if (referencePath.empty() && featureSpec == "default" && std::filesystem::exists(defaultReferenceStatsPath()))
        referencePath = defaultReferenceStatsPath();
    if (!referencePath.empty()) {
        reference = loadStatsNpz(referencePath);
        if (!reference.featureName.empty() && reference.featureName != featureName)
            throw Error(referencePath + ": statistics of \"" + reference.featureName + "\" features, the search uses \"" +
                        featureName + "\"");
    }
    if (!reference.mu.defined() || options.kid) {
        const auto data = loadFashionMnist(options.data.empty() ? std::string(kFashionMnistDefaultDir) : options.data,
                                           FashionMnistSplit::Train, options.referenceCount);
        if (data.images.size(1) != model.channels() || data.images.size(2) != model.imageSize())
            throw Error("the reference images do not match the model's image shape");
        const auto realFeatures = featuresInBatches(data.images, features, 512);
        if (!reference.mu.defined()) {
            reference = computeStats(realFeatures);
            reference.featureName = featureName;
            reference.source = "fashion-mnist-train-" + std::to_string(realFeatures.size(0));
        }
        if (options.kid)
            kidReference = realFeatures.slice(0, 0, std::min<int64_t>(realFeatures.size(0), 2000));
    }

    SamplingEvaluatorOptions evalOptions;
    evalOptions.samples = options.samplesPerCandidate;
    evalOptions.pairedWithFullWidth = options.pairedScore;
    evalOptions.batchSize = batch;
    evalOptions.prefixCacheBytes = size_t(options.prefixCacheMb) << 20;
    evalOptions.kidReferenceFeatures = kidReference;
    evalOptions.featureName = featureName;
    evalOptions.cancel = options.cancel;
    evalOptions.ranks = group.get();
    const std::string modelSha = model.path().empty() ? "" : sha256OfFile(model.path());
    evalOptions.featureStoreDirectory = options.featureStore;
    evalOptions.modelIdentity = modelSha;
    SamplingEvaluator evaluator(denoiser, setup, features, reference, evalOptions);

    SearchSettings settings;
    settings.population = options.population;
    settings.generations = options.generations;
    settings.seed = setup.sampler.seed;
    settings.widthCount = int(widths.size());
    settings.layout = setup.layout;
    settings.crossover = parseCrossover(options.crossover);
    settings.crossoverProbability = options.crossoverProbability;
    settings.mutationProbability = options.mutationProbability;
    settings.budget = options.budget;
    settings.racing.maxSamples =
        options.raceMaxSamples.value_or(evalOptions.pairedWithFullWidth ? 8 * evalOptions.samples : 0);
    settings.racing.z = options.raceZ;
    if (settings.racing.enabled() && !evalOptions.pairedWithFullWidth)
        throw Error("racing compares scores on different numbers of images: it needs --score paired");
    if (settings.racing.enabled() && (evalOptions.samples % batch != 0 || settings.racing.maxSamples % batch != 0))
        throw Error("racing adds whole batches: --samples-per-candidate and --race-max-samples must be multiples of "
                    "--batch (" + std::to_string(batch) + ")");
    for (const auto& path : options.initSchedules) {
        const auto document = loadScheduleForModel(path, T, widths, options.snapWidths, note);
        settings.initialGenomes.push_back(
            setup.layout.fromStepWidths(document.schedule.widthsAt(setup.timesteps), widths));
    }
    settings.context = nlohmann::json{{"model", model.description()},
                                      {"model_sha256", modelSha},
                                      {"sampler", setup.sampler.toString()},
                                      {"quality", evaluator.qualityName()},
                                      {"reference", reference.source},
                                      {"batch", batch},
                                      {"cost", cost.kind},
                                      {"cost_per_width", cost.perWidth}}
                           .dump();

    std::unique_ptr<CandidatePredictor> predictor;
    if (!options.predictor.empty()) {
        predictor = std::make_unique<ScheduleDistancePredictor>(loadPredictor(options.predictor), setup, T);
        settings.prescreenFactor = options.prescreen;
        settings.context += " predictor " + sha256OfFile(options.predictor);
    }
    const RelativeCost relativeCost = [&](const Genome& g) { return cost.relative(setup.layout.expand(g)); };
    EvolutionarySearch search(settings, relativeCost, evaluator);
    search.setPredictor(predictor.get());
    const auto checkpoint = (out / "checkpoint.json").string();
    // The ranks must resume from the same generation, which rank 0 wrote.
    const bool resumes = writes && options.resume && std::filesystem::exists(checkpoint);
    if (group->allReduceMax(resumes ? 1 : 0, "agreeing whether to resume") != (resumes ? 1 : 0))
        throw Error("rank " + std::to_string(group->rank()) + " cannot see " + checkpoint +
                    ", which rank 0 resumes from: --out must be on storage every rank sees");
    if (resumes) {
        search.resume(checkpoint);
        note("resumed after generation " + std::to_string(search.completedGenerations()));
    }
    if (main && writes)
        search.setCheckpointPath(checkpoint);

    SearchResult result;
    result.mainRank = main;
    if (main) {
        SearchPlan plan;
        plan.model = model.description();
        plan.sampler = setup.sampler.toString();
        plan.quality = evaluator.qualityName();
        plan.reference = reference.source;
        plan.costKind = cost.kind;
        plan.costUnit = cost.unit;
        plan.widths = widths;
        plan.costPerWidth = cost.perWidth;
        plan.population = settings.population;
        plan.generations = settings.generations;
        plan.genes = settings.layout.genes();
        plan.genesDescription = settings.layout.description();
        plan.budget = settings.budget;
        plan.batch = batch;
        plan.ranks = group->worldSize();
        SearchProgress p;
        p.stage = SearchProgress::Stage::Started;
        p.plan = &plan;
        notify(p);
    }

    const bool completed = search.run(options.cancel, [&](const GenerationReport& r) {
        if (!main)
            return;
        SearchGeneration g;
        g.generation = r.generation;
        g.generations = r.generations;
        g.budget = r.budget;
        for (const auto& c : search.evaluated())
            g.evaluated.push_back(pointOf(c));
        for (const auto& c : r.front)
            g.front.push_back(pointOf(c));
        if (r.best)
            g.best = pointOf(*r.best);
        g.evaluatedThisGeneration = r.evaluatedThisGeneration;
        g.raisedThisGeneration = r.raisedThisGeneration;
        g.cacheLookups = r.cacheLookups;
        g.cacheHits = r.cacheHits;
        g.cacheHitRate = r.cacheLookups ? double(r.cacheHits) / double(r.cacheLookups) : 0;
        g.prefixReuseRate = r.evaluator.reuseRate();
        g.secondsSaved = r.evaluator.secondsSavedEstimate();
        g.elapsedSeconds = r.elapsedSeconds;
        SearchProgress p;
        p.stage = SearchProgress::Stage::Generation;
        p.generation = &g;
        notify(p);
    });
    if (!completed) {
        result.cancelled = true;
        return result;
    }
    // Scores are unaffected, but the next search would sample full width again: say why once.
    if (!evaluator.featureStoreProblem().empty())
        note(evaluator.featureStoreProblem());

    ParetoReport report;
    report.qualityName = evaluator.qualityName();
    report.cost = cost;
    report.budget = settings.budget;
    report.layout = setup.layout;
    report.widths = widths;
    report.evaluated = search.evaluated();
    report.front = search.front();
    report.best = search.best();
    for (const auto& c : report.front)
        result.front.push_back(pointOf(c));
    if (report.best)
        result.best = pointOf(*report.best);
    if (main && writes) {
        writeParetoJson((out / "pareto.json").string(), report);
        writeParetoCsv((out / "pareto.csv").string(), report);
        drawParetoPlot((out / "pareto.png").string(), report);
    }
    if (!report.best)
        return result;

    try {
        // Re-evaluation on fresh noise, without prefix sharing so the times are real.
        SamplingSetup fresh = setup;
        fresh.sampler.seed = options.finalSeed.value_or(setup.sampler.seed + 1000003);
        SamplingEvaluatorOptions finalOptions = evalOptions;
        finalOptions.samples = options.finalSamples.value_or(4 * evalOptions.samples);
        finalOptions.sharePrefixes = false;
        finalOptions.featureStoreDirectory.clear();  // full width sampled beside the chosen one: a measured speed-up
        result.finalSamples = finalOptions.samples;
        result.finalSeed = fresh.sampler.seed;
        SamplingEvaluator finalEvaluator(denoiser, fresh, features, reference, finalOptions);
        BootstrapOptions bootstrap;
        bootstrap.rounds = options.bootstrapRounds;
        bootstrap.seed = fresh.sampler.seed;
        // Small-sample search scores favour candidates whose noise happened to suit
        // them. Scoring several finalists on separate validation noise, and
        // reporting the chosen one on the re-evaluation noise, keeps the choice
        // and the reported figure independent.
        if (options.finalists < 1)
            throw Error("--finalists must be at least 1");
        const auto finalists = bestUnderBudget(report.evaluated, settings.budget, size_t(options.finalists));
        Candidate chosen = finalists.front();
        nlohmann::json finalistsJson = nlohmann::json::array();
        if (finalists.size() > 1) {
            SamplingSetup validation = fresh;
            validation.sampler.seed = fresh.sampler.seed + 1;
            SamplingEvaluatorOptions validationOptions = finalOptions;
            validationOptions.sharePrefixes = true;  // bit-identical images; only the scores matter here
            validationOptions.featureStoreDirectory = options.featureStore;
            SamplingEvaluator validator(denoiser, validation, features, reference, validationOptions);
            std::vector<Genome> genomes;
            for (const auto& f : finalists)
                genomes.push_back(f.genome);
            result.validation.images = validationOptions.samples;
            result.validation.seed = validation.sampler.seed;
            if (main) {
                SearchProgress p;
                p.stage = SearchProgress::Stage::Validating;
                SearchValidation announced = result.validation;
                announced.finalists.resize(finalists.size());
                p.validation = &announced;
                notify(p);
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
                result.validation.finalists.push_back({pointOf(finalists[i]), scores[i].quality});
            }
            chosen = finalists[pick];
            result.validation.chosen = pick;
            if (main) {
                SearchProgress p;
                p.stage = SearchProgress::Stage::Validated;
                p.validation = &result.validation;
                notify(p);
            }
        }
        result.chosen = pointOf(chosen);
        const auto bestSteps = setup.layout.expand(chosen.genome);
        // Side by side, batch by batch: the speed-up it reports is measured under the same load.
        const auto results = reevaluateSideBySide(
            finalEvaluator, {{"full width", std::vector<int>(setup.sampler.steps, 0)}, {"best under budget", bestSteps}},
            bootstrap);
        if (!main)
            return result;  // rank 0 alone scores the re-evaluation and writes
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
            ScheduleScore s;
            s.label = r.label;
            s.stepWidths = widthsOf(r.stepWidthIndices, widths);
            s.relativeCost = relative;
            s.fid = r.fid.value;
            s.fidLow = r.fid.interval.low;
            s.fidHigh = r.fid.interval.high;
            s.minusFirst = r.differenceFromFirst;
            s.minusFirstLow = r.differenceInterval.low;
            s.minusFirstHigh = r.differenceInterval.high;
            s.kid = r.kid;
            s.samplingSeconds = r.samplingSeconds;
            result.reevaluation.push_back(std::move(s));
        }
        if (!writes)
            return result;
        const nlohmann::json finalInfo{{"quality", finalEvaluator.qualityName()},
                                       {"reference", reference.source},
                                       {"level", bootstrap.level},
                                       {"schedules", reevaluation},
                                       {"finalists", finalistsJson}};
        writeFileAtomically((out / "reevaluation.json").string(), finalInfo.dump(1) + "\n");

        const auto& best = results[1];
        ScheduleDocument document;
        document.schedule = scheduleFromStepWidths(T, setup.timesteps, widthsOf(bestSteps, widths));
        document.name = "search-best-budget-" + ddsm::formatWidth(settings.budget);
        document.sampler = SamplerRecord{setup.sampler.kind, setup.sampler.steps, setup.sampler.eta, fresh.sampler.seed};
        document.model = ModelIdentity{model.description(), modelSha};
        const double gflops = 2e-9 * [&] {
            double macs = 0;
            for (int i : bestSteps)
                macs += denoiser.macsPerImage(widths[i]);
            return macs;
        }();
        document.costs_json = nlohmann::json{{"objective", cost.kind},
                                             {"relative_cost", cost.relative(bestSteps)},
                                             {"gflops_per_image", gflops},
                                             {"flops_saving_vs_full", 1.0 - flops.relative(bestSteps)},
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
    } catch (const SearchCancelled&) {
        result.cancelled = true;
    }
    return result;
}

}  // namespace ddsm::api
