// Step-aware schedule search on a trained model, in two parts measured side by
// side in one run:
//  1. the same short search twice, with and without shared sampler prefixes:
//     identical results, the time each took, prefix reuse and cache hit rate;
//  2. the search proper: the best schedule under the FLOPs budget, re-evaluated
//     on fresh noise with more samples next to full width (FID difference with
//     a paired bootstrap interval), and its measured wall-clock speed-up.
// Quality is FID on the fallback features (7x7 average-pooled pixels) against
// Fashion-MNIST training statistics.
//
// usage: bench_search MODEL [--steps 50] [--samples 256] [--population 32]
//        [--generations 20] [--budget 0.6] [--final-samples 1024] [--batch 128]
//        [--share-check-generations 2] [--seed 0] [--threads 2] [--granularity steps]
#include "data/fashion_mnist.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "schedule/respacing.h"
#include "search/cost_model.h"
#include "search/evolutionary_search.h"
#include "search/pixel_features.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

using namespace ddsm;

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct Options {
    std::string model;
    std::map<std::string, std::string> values;
    double get(const std::string& name, double fallback) const
    {
        const auto it = values.find(name);
        return it == values.end() ? fallback : std::stod(it->second);
    }
};

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--", 0) == 0 && i + 1 < argc)
            o.values[a.substr(2)] = argv[++i];
        else
            o.model = a;
    }
    if (o.model.empty()) {
        std::fprintf(stderr, "usage: bench_search MODEL [options] (see the source)\n");
        std::exit(2);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv)
{
    const Options o = parse(argc, argv);
    torch::set_num_threads(int(o.get("threads", 2)));
    auto denoiser = openSlimmableDenoiser(o.model, c10::Device(c10::kCPU));
    const auto& config = denoiser->net().config();
    const std::vector<double> widths = config.widths;

    SamplingSetup setup;
    setup.sampler.steps = int(o.get("steps", 50));
    setup.sampler.seed = uint64_t(o.get("seed", 0));
    setup.timesteps = respacedTimesteps(config.diffusion.T, setup.sampler.steps);
    setup.widths = widths;
    const auto granularity = o.values.count("granularity") ? o.values.at("granularity") : std::string("steps");
    setup.layout = GeneLayout::parse(granularity, setup.sampler.steps);

    const FeatureFunction features = [](const at::Tensor& images) { return downsampledPixelFeatures(images, 7); };
    const auto data = loadFashionMnist(kFashionMnistDefaultDir, FashionMnistSplit::Train, 10000);
    auto reference = computeStats(features(data.images).to(torch::kDouble));
    reference.featureName = downsampledPixelFeatureName(7);
    reference.source = "fashion-mnist-train-10000";

    SamplingEvaluatorOptions eval;
    eval.samples = int(o.get("samples", 256));
    eval.batchSize = int(o.get("batch", 128));
    eval.featureName = reference.featureName;
    const CostModel flops = flopsCostModel(*denoiser, widths);
    const RelativeCost cost = [&](const Genome& g) { return flops.relative(setup.layout.expand(g)); };

    SearchSettings settings;
    settings.population = int(o.get("population", 32));
    settings.generations = int(o.get("generations", 20));
    settings.seed = setup.sampler.seed;
    settings.widthCount = int(widths.size());
    settings.layout = setup.layout;
    settings.budget = o.get("budget", 0.6);

    std::printf("model %s (%s)\nsampler %s, %s genes, %d samples per candidate, batch %d, %d threads\n",
                o.model.c_str(), describe(config).c_str(), setup.sampler.toString().c_str(),
                setup.layout.description().c_str(), eval.samples, eval.batchSize, torch::get_num_threads());

    // Part 1: prefix sharing on and off, same short search.
    {
        SearchSettings shortRun = settings;
        shortRun.generations = int(o.get("share-check-generations", 2));
        std::vector<std::vector<Candidate>> outcomes;
        std::vector<double> times;
        for (bool share : {false, true}) {
            SamplingEvaluatorOptions e = eval;
            e.sharePrefixes = share;
            SamplingEvaluator evaluator(*denoiser, setup, features, reference, e);
            EvolutionarySearch search(shortRun, cost, evaluator);
            const auto start = std::chrono::steady_clock::now();
            search.run();
            times.push_back(seconds(start));
            outcomes.push_back(search.evaluated());
            const auto s = evaluator.stats();
            std::printf("prefix sharing %-3s: %.1f s, %zu candidates, %lld image-batch steps run, %lld reused (%.1f%%),"
                        " prefix hits %lld/%lld, evaluation cache hits %lld/%lld (%.1f%%)\n",
                        share ? "on" : "off", times.back(), outcomes.back().size(), static_cast<long long>(s.stepsRun),
                        static_cast<long long>(s.stepsReused), 100 * s.reuseRate(), static_cast<long long>(s.prefixHits),
                        static_cast<long long>(s.prefixLookups), static_cast<long long>(search.cache().hits()),
                        static_cast<long long>(search.cache().lookups()), 100 * search.cache().hitRate());
        }
        bool identical = outcomes[0].size() == outcomes[1].size();
        for (size_t i = 0; identical && i < outcomes[0].size(); ++i)
            identical = outcomes[0][i].genome == outcomes[1][i].genome &&
                        outcomes[0][i].evaluation.quality == outcomes[1][i].evaluation.quality;
        std::printf("prefix sharing speed-up: %.2fx, results bit-identical: %s\n", times[0] / times[1],
                    identical ? "yes" : "NO");
    }

    // Part 2: the search and its unbiased re-evaluation.
    SamplingEvaluator evaluator(*denoiser, setup, features, reference, eval);
    EvolutionarySearch search(settings, cost, evaluator);
    search.run(nullptr, [](const GenerationReport& r) {
        std::printf("gen %2d/%d best<=%.2f: %s FID %.3f cost %.3f, front %zu, cache hit %.0f%%, prefix reuse %.0f%%,"
                    " elapsed %.0f s\n",
                    r.generation, r.generations, r.budget, r.best ? "" : "(none)", r.best ? r.best->evaluation.quality : 0.0,
                    r.best ? r.best->cost : 0.0, r.front.size(),
                    r.cacheLookups ? 100.0 * r.cacheHits / r.cacheLookups : 0.0, 100 * r.evaluator.reuseRate(),
                    r.elapsedSeconds);
        std::fflush(stdout);
    });
    const auto best = search.best();
    if (!best) {
        std::printf("no schedule within the budget\n");
        return 1;
    }
    SamplingSetup fresh = setup;
    fresh.sampler.seed = setup.sampler.seed + 1000003;
    SamplingEvaluatorOptions finalEval = eval;
    finalEval.samples = int(o.get("final-samples", 4 * eval.samples));
    finalEval.sharePrefixes = false;
    SamplingEvaluator finalEvaluator(*denoiser, fresh, features, reference, finalEval);
    BootstrapOptions bootstrap;
    bootstrap.seed = fresh.sampler.seed;
    const auto bestSteps = setup.layout.expand(best->genome);
    const auto results = reevaluate(
        finalEvaluator, {{"full width", std::vector<int>(setup.sampler.steps, 0)}, {"best", bestSteps}}, bootstrap);
    std::printf("re-evaluated on seed %llu, %d samples (%s):\n", static_cast<unsigned long long>(fresh.sampler.seed),
                finalEval.samples, reference.featureName.c_str());
    for (const auto& r : results)
        std::printf("  %-10s FLOPs %.3f of full  FID %.3f [%.3f, %.3f]  minus full %+.3f [%+.3f, %+.3f]  %.1f s (%.2fx)\n",
                    r.label.c_str(), flops.relative(r.stepWidthIndices), r.fid.value, r.fid.interval.low,
                    r.fid.interval.high, r.differenceFromFirst, r.differenceInterval.low, r.differenceInterval.high,
                    r.samplingSeconds, results[0].samplingSeconds / r.samplingSeconds);
    const bool target = flops.relative(bestSteps) <= 0.6 + 1e-12 && results[1].differenceInterval.low <= 0;
    std::printf("search time %.0f s; target (>= 40%% fewer FLOPs, FID not worse than full within the interval): %s\n",
                search.report(0).elapsedSeconds, target ? "met" : "not met");
    std::printf("best step widths (denoising order):");
    for (int i : bestSteps)
        std::printf(" %g", widths[i]);
    std::printf("\n");
    return 0;
}
