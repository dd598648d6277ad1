// Schedules compared on the same noise (`ddsm compare`): each one's FID with
// its interval and its difference from the first with a paired bootstrap
// interval; a schedule may be sampled by another model (SPEC@MODEL).
#include "api/api_internal.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "base/sha256.h"
#include "distributed/process_group.h"
#include "engine/denoiser.h"
#include "evaluation/feature_extractor.h"
#include "family/open_denoiser.h"
#include "schedule/respacing.h"
#include "schedule/width.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"
#include "search/stored_features.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <map>

namespace ddsm::api {

namespace {

// The width index of every sampler step; a schedule must use the model's widths.
std::vector<int> stepWidthIndices(const std::string& spec, bool snap, const std::vector<int>& timesteps,
                                  const std::vector<double>& widths, int T, const Notes& note)
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
        // Refused (width and first t named) or snapped with snapWidths.
        stepWidths = loadScheduleForModel(spec, T, widths, snap, note).schedule.widthsAt(timesteps);
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
                list += (list.empty() ? "" : ", ") + ddsm::formatWidth(m);
            throw Error(spec + ": width " + ddsm::formatWidth(w) + " is not one of the model's widths (" + list + ")");
        }
        indices.push_back(found);
    }
    return indices;
}

}  // namespace

CompareResult compare(const Model& model, const CompareOptions& options)
{
    torch::NoGradGuard noGrad;
    const Reporter<CompareProgress> notify(options.progress);
    const Notes note = notify.notes();
    Denoiser& denoiser = *model.denoiser();
    const int T = model.T();
    SamplingSetup setup;
    setup.sampler = engineSampler(options.sampler);
    setup.sampler.validate(T);
    setup.timesteps = respacedTimesteps(T, setup.sampler.steps);
    setup.widths = model.widths();
    setup.layout = GeneLayout::parse("steps", setup.sampler.steps);

    // Schedules naming another model (SPEC@MODEL) are sampled by it.
    struct Row {
        std::string spec, modelPath;
    };
    std::vector<Row> rows;
    for (const auto& spec : options.schedules) {
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
        if (other->imageSize() != model.imageSize() || other->channels() != model.channels() ||
            other->diffusion().T != T)
            throw Error(row.modelPath + ": its images or T differ from " + model.description() +
                        "'s, so the two cannot sample the same noise");
        others[row.modelPath] = other;
    }

    // Every schedule is checked before any sampling starts.
    std::vector<ScheduleToReevaluate> schedules;
    std::vector<double> gflops;
    for (size_t i = 0; i < rows.size(); ++i) {
        const Denoiser& m = rows[i].modelPath.empty() ? denoiser : *others[rows[i].modelPath];
        const auto indices = stepWidthIndices(rows[i].spec, options.snapWidths, setup.timesteps, m.widths(), T, note);
        schedules.push_back({options.schedules[i], indices});
        double macs = 0;
        for (int w : indices)
            macs += m.macsPerImage(m.widths()[size_t(w)]);
        gflops.push_back(2e-9 * macs);
    }

    std::shared_ptr<FeatureExtractor> extractor = openFeatures(options.features);
    const GaussianStats reference = openReference(options.features, *extractor);
    SamplingEvaluatorOptions evalOptions;
    evalOptions.samples = options.samples;
    evalOptions.batchSize = options.batch;
    evalOptions.sharePrefixes = false;
    evalOptions.featureName = extractor->name();
    evalOptions.cancel = options.cancel;
    evalOptions.featureStoreDirectory = options.featureStore;
    if (!options.featureStore.empty() && !model.path().empty())
        evalOptions.modelIdentity = sha256OfFile(model.path());
    if (evalOptions.samples < 2 || evalOptions.batchSize < 1)
        throw Error("--samples must be at least 2 and --batch at least 1");
    BootstrapOptions bootstrap;
    bootstrap.rounds = options.bootstrapRounds;
    bootstrap.seed = setup.sampler.seed;
    if (bootstrap.rounds < 2)
        throw Error("--bootstrap must be at least 2");
    // Joined once every argument has been checked, so a mistake fails fast on every rank.
    const auto group = ProcessGroup::create(options.distributed);
    const bool main = group->isMain();
    evalOptions.ranks = group.get();
    const FeatureFunction features = [extractor](const at::Tensor& x) { return extractor->features(x); };
    SamplingEvaluator evaluator(denoiser, setup, features, reference, evalOptions);
    std::map<std::string, std::unique_ptr<SamplingEvaluator>> otherEvaluators;
    for (const auto& [path, other] : others) {
        SamplingSetup otherSetup = setup;
        otherSetup.widths = other->widths();
        SamplingEvaluatorOptions otherOptions = evalOptions;
        otherOptions.modelIdentity = options.featureStore.empty() ? "" : sha256OfFile(path);  // its own full width
        otherEvaluators[path] = std::make_unique<SamplingEvaluator>(*other, otherSetup, features, reference, otherOptions);
    }
    for (size_t i = 0; i < rows.size(); ++i)
        if (!rows[i].modelPath.empty())
            schedules[i].evaluator = otherEvaluators[rows[i].modelPath].get();
    const double fullGflops = 2e-9 * denoiser.macsPerImage(setup.widths.front()) * double(setup.timesteps.size());

    CompareResult result;
    result.mainRank = main;
    if (main) {
        ComparePlan plan;
        plan.model = model.description();
        plan.sampler = setup.sampler.toString();
        plan.quality = evaluator.qualityName();
        plan.reference = reference.source;
        plan.samples = evalOptions.samples;
        plan.batch = evalOptions.batchSize;
        plan.ranks = group->worldSize();
        CompareProgress p;
        p.stage = CompareProgress::Stage::Started;
        p.plan = &plan;
        notify(p);
    }

    nlohmann::json results = nlohmann::json::array();
    reevaluate(evaluator, schedules, bootstrap, [&](const Reevaluation& row) {
        const size_t i = result.rows.size();
        ScheduleScore s;
        s.label = row.label;
        s.stepWidths = widthsOf(row.stepWidthIndices,
                                schedules[i].evaluator ? schedules[i].evaluator->setup().widths : setup.widths);
        s.relativeCost = gflops[i] / fullGflops;
        s.fid = row.fid.value;
        s.fidLow = row.fid.interval.low;
        s.fidHigh = row.fid.interval.high;
        s.minusFirst = row.differenceFromFirst;
        s.minusFirstLow = row.differenceInterval.low;
        s.minusFirstHigh = row.differenceInterval.high;
        s.kid = row.kid;
        s.samplingSeconds = row.samplingSeconds;
        s.imagesFromStore = row.imagesFromStore;
        CompareProgress p;
        p.stage = CompareProgress::Stage::Scored;
        p.row = &s;
        notify(p);
        results.push_back({{"schedule", s.label},
                           {"relative_flops", s.relativeCost},
                           {"step_widths", s.stepWidths},
                           {"fid", s.fid},
                           {"fid_interval", {s.fidLow, s.fidHigh}},
                           {"fid_minus_first", s.minusFirst},
                           {"fid_minus_first_interval", {s.minusFirstLow, s.minusFirstHigh}},
                           {"sampling_seconds", s.samplingSeconds},
                           {"images_from_store", s.imagesFromStore}});
        result.rows.push_back(std::move(s));
    });
    if (!evaluator.featureStoreProblem().empty())
        note(evaluator.featureStoreProblem());
    if (main && !options.jsonPath.empty()) {
        const nlohmann::json document{{"model", model.description()},
                                      {"sampler", setup.sampler.toString()},
                                      {"samples", evalOptions.samples},
                                      {"quality", evaluator.qualityName()},
                                      {"reference", reference.source},
                                      {"level", bootstrap.level},
                                      {"schedules", results}};
        writeFileAtomically(options.jsonPath, document.dump(1) + "\n");
    }
    return result;
}

std::string defaultFeatureStore() { return defaultFeatureStoreDirectory(); }

}  // namespace ddsm::api
