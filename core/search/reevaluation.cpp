#include "search/reevaluation.h"

#include "base/error.h"
#include "distributed/process_group.h"
#include "metrics/frechet.h"

#include <torch/torch.h>

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
        SamplingEvaluator& own = s.evaluator ? *s.evaluator : evaluator;
        const EvaluatorStats before = own.stats();
        const auto features = own.features(s.stepWidthIndices);
        r.samplingSeconds = own.stats().samplingSeconds - before.samplingSeconds;
        r.imagesFromStore = own.stats().imagesFromStore - before.imagesFromStore;
        if (!first.defined())
            first = features;
        out.push_back(r);
        if (own.options().ranks && !own.options().ranks->isMain())
            continue;  // rank 0 scores
        out.back().fid = bootstrapFid(evaluator.reference(), features, options);
        out.back().kid = own.score(features).kid;
        const auto diff = pairedFidDifference(evaluator.reference(), first, features, options);
        out.back().differenceFromFirst = diff.value;
        out.back().differenceInterval = diff.interval;
        if (onEach)
            onEach(out.back());
    }
    return out;
}

}  // namespace ddsm
