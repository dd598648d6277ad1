// The Search dock's job: the search `ddsm search` runs (api/ddsm_api.h), with
// FLOPs or the measured latency as the cost, scored with the shipped features
// and reporting every generation; its finalists are validated on fresh noise.
#include "quality_jobs.h"

#include "api/ddsm_api.h"

#include <algorithm>

namespace ddsm::ui {

namespace {

SearchPoint pointOf(const api::SearchPoint& from)
{
    SearchPoint p;
    p.stepWidths = from.stepWidths;
    p.relativeCost = from.relativeCost;
    p.gflopsPerImage = from.gflopsPerImage;
    p.fid = from.quality;
    return p;
}

}  // namespace

bool runSearchJob(const std::shared_ptr<Denoiser>& denoiser, api::QualityMemory& memory, const SearchRequest& request,
                  const std::atomic<bool>& cancel,
                  const std::function<void(const SearchSnapshot&)>& onGeneration,
                  const std::function<void(const SearchSnapshot&)>& onValidated)
{
    // The shipped features and statistics, checked against the model first.
    api::checkShippedFeatures(api::Model(denoiser), memory);

    api::SearchOptions options;
    options.sampler = apiSampler(request.sampler);
    options.granularity = request.granularity.toStdString();
    options.budget = request.budget;
    options.population = request.population;
    options.generations = request.generations;
    options.samplesPerCandidate = request.samplesPerCandidate;
    options.batch = request.batch;
    options.features = "default";
    options.pairedScore = false;
    options.raceMaxSamples = 0;
    options.crossover = "uniform";
    options.mutationProbability = 0;
    if (!request.latencyMsPerWidth.empty()) {
        options.cost = "latency";
        options.latencyMsPerWidth = request.latencyMsPerWidth;
    }
    options.finalists = request.finalists;
    options.finalSamples = request.finalSamples > 0 ? request.finalSamples : 2 * request.samplesPerCandidate;
    options.cancel = &cancel;

    SearchSnapshot last;
    options.progress = [&](const api::SearchProgress& p) {
        if (p.stage == api::SearchProgress::Stage::Started)
            last.costKind = QString::fromStdString(p.plan->costKind);
        if (p.stage != api::SearchProgress::Stage::Generation)
            return;
        const api::SearchGeneration& r = *p.generation;
        SearchSnapshot s;
        s.generation = r.generation;
        s.generations = r.generations;
        s.samplesPerCandidate = request.samplesPerCandidate;
        s.budget = r.budget;
        s.costKind = last.costKind;
        for (const auto& c : r.evaluated)
            s.evaluated.push_back(pointOf(c));
        for (const auto& c : r.front)
            s.front.push_back(pointOf(c));
        if (r.best)
            s.best = pointOf(*r.best);
        s.cacheHitRate = r.cacheHitRate;
        s.prefixReuseRate = r.prefixReuseRate;
        s.elapsedSeconds = r.elapsedSeconds;
        last = s;
        onGeneration(s);
    };
    const api::SearchResult result = api::search(api::Model(denoiser), options);
    if (result.cancelled)
        return false;
    if (result.chosen && result.reevaluation.size() == 2) {
        SearchSnapshot s = last;
        s.validated = true;
        s.finalists = int(std::max<size_t>(1, result.validation.finalists.size()));
        s.finalSamples = result.finalSamples;
        s.best = pointOf(*result.chosen);
        s.chosenFid = result.reevaluation[1].fid;
        s.fullWidthFid = result.reevaluation[0].fid;
        s.minusFull = result.reevaluation[1].minusFirst;
        s.minusFullLow = result.reevaluation[1].minusFirstLow;
        s.minusFullHigh = result.reevaluation[1].minusFirstHigh;
        onValidated(s);
    }
    return true;
}

}  // namespace ddsm::ui
