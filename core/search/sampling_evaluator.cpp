#include "search/sampling_evaluator.h"

#include "base/error.h"
#include "distributed/dealt_batches.h"
#include "distributed/process_group.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "metrics/frechet.h"
#include "metrics/kid.h"
#include "search/reevaluation.h"
#include "search/stored_features.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>

namespace ddsm {

SamplingEvaluator::SamplingEvaluator(Denoiser& denoiser, SamplingSetup setup, FeatureFunction features,
                                     GaussianStats reference, SamplingEvaluatorOptions options)
    : denoiser_(denoiser),
      diffusion_(std::make_unique<GaussianDiffusion>(denoiser.diffusion())),
      setup_(std::move(setup)),
      featureFn_(std::move(features)),
      reference_(std::move(reference)),
      options_(std::move(options)),
      prefixes_(options_.prefixCacheBytes)
{
    if (options_.samples < 2 || options_.batchSize < 1)
        throw Error("the evaluator needs at least 2 samples and a positive batch size");
    if (int(setup_.timesteps.size()) != setup_.layout.steps())
        throw Error("the gene layout has " + std::to_string(setup_.layout.steps()) + " steps, the sampler " +
                    std::to_string(setup_.timesteps.size()));
}

SamplingEvaluator::~SamplingEvaluator() = default;

std::string SamplingEvaluator::qualityName() const
{
    return std::string(options_.pairedWithFullWidth ? "FID minus full width's" : "FID") + " (" + options_.featureName +
           ", " + std::to_string(options_.samples) + " samples, seed " + std::to_string(setup_.sampler.seed) + ")";
}

EvaluatorStats SamplingEvaluator::stats() const
{
    EvaluatorStats s = stats_;
    s.prefixLookups = prefixes_.stats().lookups;
    s.prefixHits = prefixes_.stats().hits;
    return s;
}

at::Tensor SamplingEvaluator::sample(const std::vector<int>& stepWidthIndices)
{
    return sampleRange(stepWidthIndices, 0, options_.samples);
}

at::Tensor SamplingEvaluator::sampleRange(const std::vector<int>& stepWidthIndices, int begin, int end)
{
    // Batches are fixed slices of the image index, so a cached prefix of batch
    // b always holds the same images.
    if (begin % options_.batchSize != 0 || end < begin)
        throw Error("images are sampled in whole batches of " + std::to_string(options_.batchSize));
    const int steps = int(setup_.timesteps.size());
    SamplerSettings settings = setup_.sampler;
    std::vector<at::Tensor> batches;
    for (int start = begin; start < end; start += options_.batchSize) {
        const int batch = start / options_.batchSize;
        const int count = std::min(options_.batchSize, end - start);
        settings.firstImage = start;
        SamplerRun run;
        run.timesteps = setup_.timesteps;
        run.stepWidths = widthsOf(stepWidthIndices, setup_.widths);
        run.cancel = options_.cancel;
        // A short last batch holds fewer images than a full one of the same index.
        const int key = batch * (options_.batchSize + 1) + count;
        const bool share = options_.sharePrefixes;
        if (share)
            run.firstStep = prefixes_.longestPrefix(key, stepWidthIndices, steps - 1, &run.x);
        if (run.firstStep == 0)
            run.x = initialNoise(settings.seed, start, count, denoiser_.channels(), denoiser_.imageSize());
        if (share)
            run.onStep = [&, key](const SamplerStep& step) {
                if (step.step + 1 < steps)
                    prefixes_.insert(key, stepWidthIndices, step.step + 1, step.x);
            };
        const auto t0 = std::chrono::steady_clock::now();
        const auto result = runSampler(denoiser_, *diffusion_, settings, run);
        stats_.samplingSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        stats_.stepsRun += result.stepsRun;
        stats_.stepsReused += run.firstStep;
        if (result.cancelled)
            throw SearchCancelled();
        batches.push_back(result.images);
    }
    return batches.empty() ? at::Tensor() : torch::cat(batches);
}

bool SamplingEvaluator::storesFeatures(const std::vector<int>& stepWidthIndices) const
{
    return !options_.featureStoreDirectory.empty() && !options_.modelIdentity.empty() &&
           (!options_.ranks || options_.ranks->worldSize() == 1) &&
           std::all_of(stepWidthIndices.begin(), stepWidthIndices.end(), [](int w) { return w == 0; });
}

at::Tensor SamplingEvaluator::cachedFeatures(const std::vector<int>& stepWidthIndices, int count)
{
    const bool stores = storesFeatures(stepWidthIndices);  // full width: one entry per evaluator
    auto found = featureCache_.find(stepWidthIndices);
    if (found == featureCache_.end()) {
        const std::string key = stores ? fullWidthFeaturesKey(options_.modelIdentity, setup_.sampler.toString(),
                                                              options_.featureName, options_.batchSize)
                                       : std::string();
        found = featureCache_
                    .try_emplace(stepWidthIndices, stores ? options_.featureStoreDirectory : std::string(), key,
                                 options_.batchSize)
                    .first;
    }
    KeptFeatures& kept = found->second;
    const int64_t storedBefore = kept.fromStore();
    const at::Tensor rows = kept.upTo(count, [&](int begin, int end) {
        return featuresOfRange(stepWidthIndices, begin, end);
    });
    stats_.imagesFromStore += kept.fromStore() - storedBefore;
    if (stores)
        storeProblem_ = kept.storeProblem();
    return rows;
}

at::Tensor SamplingEvaluator::features(const std::vector<int>& stepWidthIndices)
{
    if (storesFeatures(stepWidthIndices))
        return cachedFeatures(stepWidthIndices, options_.samples);
    return featuresOfRange(stepWidthIndices, 0, options_.samples);
}

at::Tensor SamplingEvaluator::featuresOfRange(const std::vector<int>& stepWidthIndices, int begin, int end)
{
    if (!options_.ranks)
        return featuresOf(sampleRange(stepWidthIndices, begin, end));
    if (begin % options_.batchSize != 0 || end < begin)
        throw Error("images are sampled in whole batches of " + std::to_string(options_.batchSize));
    // Feature batches are the sampled batches, as featuresOf makes them.
    std::vector<at::Tensor> mine;
    for (int start = begin; start < end; start += options_.batchSize)
        if (isDealtTo(options_.ranks, start / options_.batchSize))
            mine.push_back(featuresOf(
                sampleRange(stepWidthIndices, start, std::min(end, start + options_.batchSize))));
    return gatherDealtRows(options_.ranks, mine.empty() ? at::Tensor() : torch::cat(mine), end - begin,
                           options_.batchSize, "gathering the features of a schedule's images",
                           begin / options_.batchSize);
}

at::Tensor SamplingEvaluator::featuresOf(const at::Tensor& samples) const
{
    const auto images = samples.clamp(-1.0, 1.0);
    std::vector<at::Tensor> parts;
    for (int64_t start = 0; start < images.size(0); start += options_.batchSize) {
        const auto batch = images.slice(0, start, std::min<int64_t>(images.size(0), start + options_.batchSize));
        parts.push_back(featureFn_(batch).to(torch::kDouble).reshape({batch.size(0), -1}));
    }
    return torch::cat(parts);
}

Evaluation SamplingEvaluator::score(const at::Tensor& features) const
{
    Evaluation e;
    e.quality = frechetDistance(computeStats(features), reference_);
    e.samples = features.size(0);
    e.kid = kidOf(features);
    return e;
}

double SamplingEvaluator::kidOf(const at::Tensor& features) const
{
    if (!options_.kidReferenceFeatures.defined())
        return std::numeric_limits<double>::quiet_NaN();
    KidOptions kid;
    kid.subsets = options_.kidSubsets;
    kid.seed = setup_.sampler.seed;
    return computeKid(features, options_.kidReferenceFeatures, kid).mean;
}

Evaluation SamplingEvaluator::scorePaired(const at::Tensor& features)
{
    const int64_t n = features.size(0);
    const auto full = cachedFeatures(std::vector<int>(setup_.timesteps.size(), 0), int(n));
    BootstrapOptions bootstrap;
    bootstrap.rounds = options_.uncertaintyRounds;
    bootstrap.seed = setup_.sampler.seed;
    const auto difference = pairedFidDifference(reference_, full, features, bootstrap);
    Evaluation e;
    e.samples = features.size(0);
    e.kid = kidOf(features);
    e.quality = difference.value;
    e.uncertainty = difference.standardError;
    return e;
}

std::vector<Evaluation> SamplingEvaluator::scoreInPrefixOrder(const std::vector<Genome>& genomes,
                                                              const std::function<Evaluation(const std::vector<int>&)>& scoreOf)
{
    std::vector<std::vector<int>> paths;
    for (const auto& g : genomes)
        paths.push_back(setup_.layout.expand(g));
    // Neighbours in lexicographic order share the longest prefixes.
    std::vector<size_t> order(genomes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return paths[a] < paths[b]; });
    std::vector<Evaluation> out(genomes.size());
    for (size_t i : order)
        out[i] = scoreOf(paths[i]);
    return out;
}

void SamplingEvaluator::requireSameGenomes(const std::vector<Genome>& genomes)
{
    if (!options_.ranks || options_.ranks->worldSize() == 1)
        return;
    // A checksum below 2^31, exact in a double; equal on all ranks iff its
    // largest and smallest values agree.
    int64_t sum = int64_t(genomes.size());
    for (const auto& g : genomes)
        for (int gene : g)
            sum = (sum * 131 + gene + 1) % 2147483647;
    const double largest = options_.ranks->allReduceMax(double(sum), "checking that the ranks score the same candidates");
    const double smallest = -options_.ranks->allReduceMax(-double(sum), "checking that the ranks score the same candidates");
    if (largest != smallest)
        throw Error("rank " + std::to_string(options_.ranks->rank()) +
                    ": the ranks were asked to score different candidates (their searches diverged)");
}

std::vector<Evaluation> SamplingEvaluator::rankZeroScores(std::vector<Evaluation> scores)
{
    if (!options_.ranks || options_.ranks->worldSize() == 1 || scores.empty())
        return scores;
    auto table = torch::empty({int64_t(scores.size()), 4}, torch::kDouble);
    for (size_t i = 0; i < scores.size(); ++i) {
        const auto row = table[int64_t(i)];
        row[0] = scores[i].quality;
        row[1] = scores[i].kid;
        row[2] = double(scores[i].samples);
        row[3] = scores[i].uncertainty;
    }
    options_.ranks->broadcast({table}, "sharing rank 0's scores of the candidates");
    const auto value = table.accessor<double, 2>();
    for (size_t i = 0; i < scores.size(); ++i)
        scores[i] = {value[int64_t(i)][0], value[int64_t(i)][1], int64_t(value[int64_t(i)][2]), value[int64_t(i)][3]};
    return scores;
}

std::vector<Evaluation> SamplingEvaluator::evaluateWith(const std::vector<Genome>& genomes, int samples)
{
    requireSameGenomes(genomes);
    return rankZeroScores(scoreInPrefixOrder(genomes, [&](const std::vector<int>& path) {
        const auto features = cachedFeatures(path, samples);
        return options_.pairedWithFullWidth ? scorePaired(features) : score(features);
    }));
}

std::vector<Evaluation> SamplingEvaluator::evaluate(const std::vector<Genome>& genomes)
{
    if (options_.pairedWithFullWidth)
        return evaluateWith(genomes, options_.samples);
    requireSameGenomes(genomes);
    // Absolute FID keeps no features: the app's searches hold many candidates.
    return rankZeroScores(
        scoreInPrefixOrder(genomes, [&](const std::vector<int>& path) { return score(features(path)); }));
}

}  // namespace ddsm
