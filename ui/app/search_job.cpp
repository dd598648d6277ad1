// The Search dock's job: `ddsm search` with FLOPs or the measured latency as
// the cost, scored with the shipped features, reporting every generation.
#include "quality_jobs.h"
#include "quality_space.h"
#include "engine_sampler.h"

#include "base/error.h"
#include "engine/denoiser.h"
#include "evaluation/feature_extractor.h"
#include "schedule/respacing.h"
#include "search/cost_model.h"
#include "search/evolutionary_search.h"
#include "search/sampling_evaluator.h"

#include <torch/torch.h>

namespace ddsm::ui {

namespace {

SearchPoint pointOf(const Candidate& c, const GeneLayout& layout, const std::vector<double>& widths,
                    const CostModel& flops)
{
    SearchPoint p;
    const auto steps = layout.expand(c.genome);
    p.stepWidths = widthsOf(steps, widths);
    p.relativeCost = c.cost;
    p.gflopsPerImage = flops.absolute(steps);
    p.fid = c.evaluation.quality;
    return p;
}

}  // namespace

bool runSearchJob(Denoiser& denoiser, QualitySpaceCache& spaces, const SearchRequest& request,
                  const std::atomic<bool>& cancel,
                  const std::function<void(const SearchSnapshot&)>& onGeneration)
{
    torch::NoGradGuard noGrad;
    const int T = denoiser.diffusion().T;
    const std::vector<double> widths = denoiser.widths();
    const QualitySpace& space = spaces.get(denoiser, false);

    SamplingSetup setup;
    setup.sampler = engineSampler(request.sampler);
    setup.sampler.validate(T);
    setup.timesteps = respacedTimesteps(T, setup.sampler.steps);
    setup.widths = widths;
    setup.layout = GeneLayout::parse(request.granularity.toStdString(), setup.sampler.steps);

    SamplingEvaluatorOptions options;
    options.samples = request.samplesPerCandidate;
    options.batchSize = request.batch;
    options.featureName = space.extractor->name();
    options.cancel = &cancel;
    const auto extractor = space.extractor;
    SamplingEvaluator evaluator(denoiser, setup, [extractor](const at::Tensor& images) { return extractor->features(images); },
                                space.reference, options);

    SearchSettings settings;
    settings.population = request.population;
    settings.generations = request.generations;
    settings.seed = setup.sampler.seed;
    settings.widthCount = int(widths.size());
    settings.layout = setup.layout;
    settings.budget = request.budget;
    settings.validate();
    const CostModel flops = flopsCostModel(denoiser, widths);
    CostModel cost = flops;
    if (!request.latencyMsPerWidth.empty()) {
        if (request.latencyMsPerWidth.size() != widths.size())
            throw Error("the latency profile has " + std::to_string(request.latencyMsPerWidth.size()) +
                        " widths, the model " + std::to_string(widths.size()));
        cost = CostModel{"latency", "ms", request.latencyMsPerWidth};
    }
    EvolutionarySearch search(settings, [&](const Genome& g) { return cost.relative(setup.layout.expand(g)); },
                              evaluator);
    return search.run(&cancel, [&](const GenerationReport& r) {
        SearchSnapshot s;
        s.generation = r.generation;
        s.generations = r.generations;
        s.samplesPerCandidate = request.samplesPerCandidate;
        s.budget = r.budget;
        s.costKind = QString::fromStdString(cost.kind);
        for (const auto& c : search.evaluated())
            s.evaluated.push_back(pointOf(c, setup.layout, widths, flops));
        for (const auto& c : r.front)
            s.front.push_back(pointOf(c, setup.layout, widths, flops));
        if (r.best)
            s.best = pointOf(*r.best, setup.layout, widths, flops);
        s.cacheHitRate = r.cacheLookups ? double(r.cacheHits) / double(r.cacheLookups) : 0;
        s.prefixReuseRate = r.evaluator.reuseRate();
        s.elapsedSeconds = r.elapsedSeconds;
        onGeneration(s);
    });
}

}  // namespace ddsm::ui
