#include "search/reevaluation.h"

#include "base/error.h"
#include "distributed/process_group.h"
#include "metrics/frechet.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ddsm {

PairedDifference pairedFidDifference(const GaussianStats& reference, const at::Tensor& a, const at::Tensor& b,
                                     const BootstrapOptions& options)
{
    if (a.size(0) != b.size(0))
        throw Error("paired FID difference needs the same number of samples on both sides");
    PairedDifference d;
    d.value = frechetDistance(computeStats(b), reference) - frechetDistance(computeStats(a), reference);
    auto generator = at::detail::createCPUGenerator(options.seed);
    std::vector<double> rounds;
    for (int r = 0; r < options.rounds; ++r) {
        const auto rows = torch::randint(a.size(0), {a.size(0)}, generator, torch::kLong);
        rounds.push_back(frechetDistance(computeStats(b.index_select(0, rows)), reference) -
                         frechetDistance(computeStats(a.index_select(0, rows)), reference));
    }
    d.interval = centralInterval(rounds, options.level);
    double mean = 0, squares = 0;
    for (double r : rounds)
        mean += r / double(rounds.size());
    for (double r : rounds)
        squares += (r - mean) * (r - mean);
    d.standardError = rounds.size() > 1 ? std::sqrt(squares / double(rounds.size() - 1)) : 0;
    return d;
}

namespace {

SamplingEvaluator& evaluatorOf(SamplingEvaluator& evaluator, const ScheduleToReevaluate& s)
{
    return s.evaluator ? *s.evaluator : evaluator;
}

// Scores `r` from its features against the first row's (rank 0 only).
void score(SamplingEvaluator& evaluator, SamplingEvaluator& own, Reevaluation& r, const at::Tensor& features,
           const at::Tensor& first, const BootstrapOptions& options)
{
    r.fid = bootstrapFid(evaluator.reference(), features, options);
    r.kid = own.score(features).kid;
    const auto diff = pairedFidDifference(evaluator.reference(), first, features, options);
    r.differenceFromFirst = diff.value;
    r.differenceInterval = diff.interval;
}

bool scoresHere(const SamplingEvaluator& own) { return !own.options().ranks || own.options().ranks->isMain(); }

}  // namespace

std::vector<Reevaluation> reevaluate(SamplingEvaluator& evaluator, const std::vector<ScheduleToReevaluate>& schedules,
                                     const BootstrapOptions& options,
                                     const std::function<void(const Reevaluation&)>& onEach)
{
    std::vector<Reevaluation> out;
    at::Tensor first;
    for (const auto& s : schedules) {
        Reevaluation r;
        r.label = s.label;
        r.stepWidthIndices = s.stepWidthIndices;
        SamplingEvaluator& own = evaluatorOf(evaluator, s);
        const EvaluatorStats before = own.stats();
        const auto features = own.features(s.stepWidthIndices);
        r.samplingSeconds = own.stats().samplingSeconds - before.samplingSeconds;
        r.imagesFromStore = own.stats().imagesFromStore - before.imagesFromStore;
        if (!first.defined())
            first = features;
        out.push_back(r);
        if (!scoresHere(own))
            continue;  // rank 0 scores
        score(evaluator, own, out.back(), features, first, options);
        if (onEach)
            onEach(out.back());
    }
    return out;
}

std::vector<Reevaluation> reevaluateSideBySide(SamplingEvaluator& evaluator,
                                               const std::vector<ScheduleToReevaluate>& schedules,
                                               const BootstrapOptions& options)
{
    const int samples = evaluator.options().samples;
    const int batch = evaluator.options().batchSize;
    std::vector<Reevaluation> out(schedules.size());
    for (size_t i = 0; i < schedules.size(); ++i) {
        out[i].label = schedules[i].label;
        out[i].stepWidthIndices = schedules[i].stepWidthIndices;
    }
    for (int end = std::min(samples, batch);; end = std::min(samples, end + batch)) {
        for (size_t i = 0; i < schedules.size(); ++i) {
            SamplingEvaluator& own = evaluatorOf(evaluator, schedules[i]);
            const EvaluatorStats before = own.stats();
            own.cachedFeatures(schedules[i].stepWidthIndices, end);  // extends by one batch
            out[i].samplingSeconds += own.stats().samplingSeconds - before.samplingSeconds;
            out[i].imagesFromStore += own.stats().imagesFromStore - before.imagesFromStore;
        }
        if (end == samples)
            break;
    }
    at::Tensor first;
    for (size_t i = 0; i < schedules.size(); ++i) {
        SamplingEvaluator& own = evaluatorOf(evaluator, schedules[i]);
        const auto features = own.cachedFeatures(schedules[i].stepWidthIndices, samples);
        if (!first.defined())
            first = features;
        if (scoresHere(own))
            score(evaluator, own, out[i], features, first, options);
    }
    return out;
}

}  // namespace ddsm
