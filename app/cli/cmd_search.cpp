// ddsm search: NSGA-II search for a step-aware schedule under a cost budget,
// with its Pareto front, a checkpoint per generation, and the chosen schedule
// re-evaluated on fresh noise against full width.
#include "api_options.h"
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "api/ddsm_api.h"
#include "base/error.h"

#include <cstdio>
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
    "\n";

const char* kHelpTail =
    "\n"
    "Writes DIR/checkpoint.json (every generation), pareto.json, pareto.csv, pareto.png,\n"
    "best.json (a schedule file with costs and metrics) and reevaluation.json.\n"
    "\n"
    "On N ranks (ddsm launch --nproc N -- ddsm search ...) every rank runs the same\n"
    "search; each candidate's batches of images are dealt out round-robin and their\n"
    "features gathered in image order, and every rank keeps rank 0's scores, so the\n"
    "front equals one process's. Rank 0 measures latency, prints and writes every\n"
    "file; --resume needs DIR on storage every rank sees.\n";

OptionTable optionTable()
{
    return OptionTable{
               {"out", "DIR", "the search's files (below)"},
               {"budget", "B", "cost budget relative to full width", "0.5"},
               {"cost", "KIND", "cost objective: flops or latency (measured once)", "flops"},
               {"population", "P", "schedules per generation", "32"},
               {"generations", "G", "generations after the initial one", "20"},
               {"samples-per-candidate", "M", "images per candidate at first", "128"},
               {"score", "KIND",
                "paired: FID minus full width's FID on the same images,\n"
                "with a paired standard error; fid: absolute FID",
                "paired"},
               {"race-max-samples", "M",
                "racing: candidates under the budget that no cheaper one\n"
                "beats by --race-z standard errors get twice the images, up\n"
                "to M; 0 = off",
                "", "8 x samples-per-candidate\nwith paired scores"},
               {"race-z", "Z", "standard errors of the racing test", "2"},
               {"granularity", "G", "steps (a gene per step) or bins:K", "steps"},
               {"crossover", "KIND", "uniform or one-point: how parents' genes mix", "uniform"},
               {"crossover-prob", "X", "probability that two parents are crossed", "0.9"},
               {"mutation", "P", "per-gene mutation probability", "", "1/genes"},
               {"init-schedules", "F1,F2",
                "schedule files added to the initial population (of\n"
                "the model's widths; --snap-widths rounds others to the\n"
                "nearest)"},
               snapWidthsOption(),
               {"features", "F",
                "feature network: \"default\" (the shipped Fashion-MNIST\n"
                "classifier), a classifier .safetensors, a TorchScript\n"
                "file, or \"pixels\": 7x7 average-pooled pixels, a crude\n"
                "fallback with no network\n",
                "", "\"default\" when shipped, else \"pixels\""},
               {"reference", "FILE",
                "reference statistics (.npz) in that feature space (default:\n"
                "the shipped statistics for the default features, else from\n"
                "--data)"},
               {"data", "DIR", "Fashion-MNIST for reference statistics\n", "", "the Debian dataset"},
               {"reference-count", "N", "reference images from --data", "10000"},
               {"predictor", "FILE", "pre-screen offspring with a distance predictor's\ncalibration (ddsm predictor fit)"},
               {"prescreen", "K", "with --predictor: breed K offspring per one evaluated\n", "3"},
               {"kid", "", "also measure KID (needs --data)"},
               {"batch", "B", "images per network call", "128"},
               {"prefix-cache-mb", "MB", "memory for shared sampler states", "1024"},
               {"feature-store", "DIR",
                "keep full width's scoring features there between runs\n"
                "(the final re-evaluation samples full width beside the\n"
                "chosen one)\n",
                "", "$DDSM_FEATURE_STORE, else\n~/.cache/ddsm-studio/features"},
               {"no-feature-store", "", "sample full width every time"},
               {"final-samples", "M2", "re-evaluation images", "", "4 x M"},
               {"final-seed", "S2", "re-evaluation noise", "", "S + 1000003"},
               {"finalists", "K",
                "the K best under the budget (by search score) are scored\n"
                "again on validation noise (seed S2 + 1, M2 images); the\n"
                "best there is re-evaluated",
                "1", "no validation"},
               {"bootstrap", "R", "bootstrap rounds of the intervals", "200"},
               {"resume", "", "continue from DIR/checkpoint.json"},
           } +
           samplerOptions(50).withHelp("seed", "search noise and evolution seed S") + modelOptions() +
           distributedOptions();
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string describeWidths(const std::vector<double>& stepWidths)
{
    std::string text;
    for (double w : stepWidths)
        text += api::formatWidth(w).substr(0, 4) + " ";
    return text;
}

void printPlan(const api::SearchPlan& plan, int threads)
{
    if (plan.ranks > 1)
        std::printf("ranks: %d, each candidate's batches of %d dealt out round-robin\n", plan.ranks, plan.batch);
    std::printf("search: %s, %s, %d threads\n  quality: %s vs %s\n  cost: %s per width [", plan.model.c_str(),
                plan.sampler.c_str(), threads, plan.quality.c_str(), plan.reference.c_str(), plan.costKind.c_str());
    for (size_t i = 0; i < plan.costPerWidth.size(); ++i)
        std::printf("%s%s: %.4g %s", i ? ", " : "", api::formatWidth(plan.widths[i]).c_str(), plan.costPerWidth[i],
                    plan.costUnit.c_str());
    std::printf("] per image-step\n  population %d, generations %d, genes %d (%s), budget %.3g\n", plan.population,
                plan.generations, plan.genes, plan.genesDescription.c_str(), plan.budget);
    std::fflush(stdout);
}

void printGeneration(const api::SearchGeneration& r, bool paired)
{
    char best[128] = "none under budget";
    if (r.best)
        std::snprintf(best, sizeof best, "%s %.3f +- %.2f (%lld images) at cost %.3f", paired ? "FID-full" : "FID",
                      r.best->quality, r.best->uncertainty, static_cast<long long>(r.best->samples), r.best->relativeCost);
    const double hit = r.cacheLookups ? 100.0 * double(r.cacheHits) / double(r.cacheLookups) : 0;
    std::printf("gen %3d/%d  best<=%.2f: %s  front %zu  new %d  raised %d  cache hit %.0f%%  prefix reuse %.0f%% (~%.0f s saved)"
                "  elapsed %.0f s\n",
                r.generation, r.generations, r.budget, best, r.front.size(), r.evaluatedThisGeneration,
                r.raisedThisGeneration, hit, 100 * r.prefixReuseRate, r.secondsSaved,
                r.elapsedSeconds);
    std::fflush(stdout);
}

void printValidation(const api::SearchProgress& p)
{
    const api::SearchValidation& v = *p.validation;
    if (p.stage == api::SearchProgress::Stage::Validating) {
        std::printf("validating %zu finalists on %d images (seed %llu) ...\n", v.finalists.size(), v.images,
                    static_cast<unsigned long long>(v.seed));
        std::fflush(stdout);
        return;
    }
    for (size_t i = 0; i < v.finalists.size(); ++i) {
        const api::SearchFinalist& f = v.finalists[i];
        std::printf("  finalist %zu  cost %.3f  search score %.3f (%lld images)  validation score %.3f  %s\n", i + 1,
                    f.point.relativeCost, f.point.quality, static_cast<long long>(f.point.samples),
                    f.validationQuality, describeWidths(f.point.stepWidths).c_str());
    }
    std::printf("chosen: finalist %zu\n", v.chosen + 1);
}

}  // namespace

int runSearch(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s%s%s", kHelp, kModelArgumentHelp, table.help().c_str(), kHelpTail);
        return 0;
    }
    api::SearchOptions options;
    options.distributed = distributedConfigFromArgs(args);
    const int threads = applyThreads(args);
    const auto outArg = args.given("out");
    if (!outArg)
        throw Error("--out DIR is required");
    options.outDir = *outArg;
    options.resume = args.has("resume");

    const api::Model model = openApiModel(args);
    options.sampler = apiSamplerFromArgs(args);
    options.granularity = args.get("granularity");
    options.batch = args.getInt("batch");
    options.cost = args.get("cost");
    options.features = args.get("features", "");
    options.reference = args.get("reference", "");
    options.data = args.get("data", "");
    options.referenceCount = args.getInt("reference-count");
    options.kid = args.has("kid");
    options.samplesPerCandidate = args.getInt("samples-per-candidate");
    const std::string scoreKind = args.get("score");
    if (scoreKind != "paired" && scoreKind != "fid")
        throw Error("--score must be \"paired\" or \"fid\", got \"" + scoreKind + "\"");
    options.pairedScore = scoreKind == "paired";
    options.prefixCacheMb = args.getInt64("prefix-cache-mb");
    options.featureStore = args.has("no-feature-store") ? "" : args.get("feature-store", api::defaultFeatureStore());
    options.population = args.getInt("population");
    options.generations = args.getInt("generations");
    options.crossover = args.get("crossover");
    options.crossoverProbability = args.getDouble("crossover-prob");
    if (args.has("mutation"))
        options.mutationProbability = args.getDouble("mutation");
    options.budget = args.getDouble("budget");
    if (args.has("race-max-samples"))
        options.raceMaxSamples = args.getInt("race-max-samples");
    options.raceZ = args.getDouble("race-z");
    options.initSchedules = splitList(args.get("init-schedules", ""));
    options.snapWidths = args.has("snap-widths");
    options.predictor = args.get("predictor", "");
    options.prescreen = args.getInt("prescreen");
    if (args.has("final-samples"))
        options.finalSamples = args.getInt("final-samples");
    if (args.has("final-seed"))
        options.finalSeed = args.getSeed("final-seed");
    options.finalists = args.getInt("finalists");
    options.bootstrapRounds = args.getInt("bootstrap");
    options.progress = [&](const api::SearchProgress& p) {
        switch (p.stage) {
        case api::SearchProgress::Stage::Note:
            std::fprintf(stderr, "%s\n", p.note.c_str());
            break;
        case api::SearchProgress::Stage::Started:
            printPlan(*p.plan, threads);
            break;
        case api::SearchProgress::Stage::Generation:
            printGeneration(*p.generation, options.pairedScore);
            break;
        case api::SearchProgress::Stage::Validating:
        case api::SearchProgress::Stage::Validated:
            printValidation(p);
            break;
        }
    };

    const api::SearchResult result = api::search(model, options);
    if (!result.best) {
        if (result.mainRank)
            std::printf("no evaluated schedule is within the budget %.3g\n", options.budget);
        return 1;
    }
    if (!result.mainRank)
        return 0;
    const auto& rows = result.reevaluation;
    for (const auto& r : rows)
        std::printf("%-18s cost %.3f  FID %.3f [%.3f, %.3f]  minus full %+.3f [%+.3f, %+.3f]  %.1f s (%.2fx)  %s\n",
                    r.label.c_str(), r.relativeCost, r.fid, r.fidLow, r.fidHigh, r.minusFirst, r.minusFirstLow,
                    r.minusFirstHigh, r.samplingSeconds, rows[0].samplingSeconds / r.samplingSeconds,
                    describeWidths(r.stepWidths).c_str());
    std::printf("wrote %s: pareto.json, pareto.csv, pareto.png, best.json, reevaluation.json\n", options.outDir.c_str());
    return 0;
}

}  // namespace ddsm::cli
