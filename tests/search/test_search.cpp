// The evolutionary search on cheap objectives: NSGA-II sorting against hand
// computations, a synthetic problem whose Pareto front is known in closed
// form, the variation operators, caching, checkpoints and reproducibility.
#include "base/atomic_file.h"
#include "base/error.h"
#include "search/evolutionary_search.h"
#include "search/search_checkpoint.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <set>

using namespace ddsm;

namespace {

// quality = sum_g weight_g * index_g (narrower genes cost quality, the
// expensive-to-narrow genes more), cost = mean over genes of (1 - index/K).
// For a total narrowing m = sum index_g the best quality fills the cheapest
// genes first, so the Pareto front is: for every m in 0..G(K-1), cost
// 1 - m/(G K) and quality greedy(m). Distinct weights make it unique.
struct SyntheticProblem {
    std::vector<double> weights;
    int widthCount = 4;

    double quality(const Genome& g) const
    {
        double q = 0;
        for (size_t i = 0; i < g.size(); ++i)
            q += weights[i] * g[i];
        return q;
    }
    double cost(const Genome& g) const
    {
        double c = 0;
        for (int i : g)
            c += 1.0 - double(i) / widthCount;
        return c / double(g.size());
    }
    // The closed-form front: quality at each total narrowing m.
    std::vector<std::pair<double, double>> front() const
    {
        std::vector<double> sorted = weights;
        std::sort(sorted.begin(), sorted.end());
        std::vector<std::pair<double, double>> points;
        const int genes = int(weights.size()), most = genes * (widthCount - 1);
        for (int m = 0; m <= most; ++m) {
            double q = 0;
            int left = m;
            for (double w : sorted) {
                const int take = std::min(left, widthCount - 1);
                q += w * take;
                left -= take;
            }
            points.push_back({1.0 - double(m) / (genes * widthCount), q});
        }
        std::reverse(points.begin(), points.end());  // ascending cost
        return points;
    }
};

class SyntheticEvaluator final : public CandidateEvaluator {
public:
    explicit SyntheticEvaluator(const SyntheticProblem& p) : problem_(p) {}
    std::vector<Evaluation> evaluate(const std::vector<Genome>& genomes) override
    {
        ++calls;
        std::vector<Evaluation> out;
        for (const auto& g : genomes) {
            ++evaluations;
            if (!seen.insert(g).second)
                ++repeated;
            out.push_back({problem_.quality(g), std::nan(""), 1});
        }
        return out;
    }
    int calls = 0, evaluations = 0, repeated = 0;
    std::set<Genome> seen;

private:
    const SyntheticProblem& problem_;
};

// The synthetic quality plus a fixed error per genome that shrinks as
// 1/sqrt(images): what a sampled score does, with its standard error known.
class NoisyEvaluator final : public CandidateEvaluator {
public:
    NoisyEvaluator(const SyntheticProblem& p, int samples, double sigma) : problem_(p), samples_(samples), sigma_(sigma) {}
    std::vector<Evaluation> evaluate(const std::vector<Genome>& genomes) override { return evaluateWith(genomes, samples_); }
    std::vector<Evaluation> evaluateWith(const std::vector<Genome>& genomes, int samples) override
    {
        std::vector<Evaluation> out;
        for (const auto& g : genomes) {
            imagesSpent += samples;
            const double error = sigma_ / std::sqrt(double(samples));
            out.push_back({problem_.quality(g) + errorOf(g) * error, std::nan(""), samples, error});
        }
        return out;
    }
    int64_t imagesSpent = 0;

private:
    // A standard normal per genome, from its key (Box-Muller on two hashes).
    static double errorOf(const Genome& g)
    {
        const auto h = std::hash<std::string>{}(genomeKey(g));
        const double u1 = (double(h % 100003) + 0.5) / 100003.0, u2 = (double((h / 100003) % 100019) + 0.5) / 100019.0;
        return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    }
    const SyntheticProblem& problem_;
    int samples_;
    double sigma_;
};

SyntheticProblem tenGeneProblem()
{
    return {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4};
}

SearchSettings settingsFor(const SyntheticProblem& p, int population, int generations, uint64_t seed)
{
    SearchSettings s;
    s.population = population;
    s.generations = generations;
    s.seed = seed;
    s.widthCount = p.widthCount;
    s.layout = GeneLayout::perStep(int(p.weights.size()));
    s.budget = 0.5;
    return s;
}

RelativeCost costOf(const SyntheticProblem& p)
{
    return [&p](const Genome& g) { return p.cost(g); };
}

std::vector<std::string> keys(const std::vector<Candidate>& candidates)
{
    std::vector<std::string> out;
    for (const auto& c : candidates)
        out.push_back(genomeKey(c.genome) + "/" + QByteArray::number(c.evaluation.quality, 'g', 17).toStdString());
    return out;
}

}  // namespace

class TestSearch final : public QObject {
    Q_OBJECT
private slots:
    void nonDominatedFrontsMatchHandWorkedExample()
    {
        // (quality, cost). P3 is dominated only by P1; P5 by P1 and P3; P4 by everyone but itself.
        const std::vector<Objectives> points{{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 5}, {4, 4}};
        const auto fronts = nonDominatedFronts(points);
        QCOMPARE(fronts.size(), size_t(4));
        QCOMPARE(fronts[0], (std::vector<int>{0, 1, 2}));
        QCOMPARE(fronts[1], (std::vector<int>{3}));
        QCOMPARE(fronts[2], (std::vector<int>{5}));
        QCOMPARE(fronts[3], (std::vector<int>{4}));
        QVERIFY(dominates({1, 1}, {1, 2}));
        QVERIFY(!dominates({1, 1}, {1, 1}));
        QVERIFY(!dominates({1, 2}, {2, 1}));
    }

    void crowdingDistancesMatchHandWorkedExample()
    {
        // Front a(1,5) b(2,3) c(3,2) d(4,1). Quality range 3: b gets (3-1)/3, c (4-2)/3.
        // Cost range 4, order d c b a: c gets (3-1)/4, b (5-2)/4. a, d are extremes.
        const std::vector<Objectives> points{{1, 5}, {2, 3}, {3, 2}, {4, 1}};
        const auto d = crowdingDistances({0, 1, 2, 3}, points);
        QVERIFY(std::isinf(d[0]) && std::isinf(d[3]));
        QVERIFY(std::abs(d[1] - (2.0 / 3 + 0.75)) < 1e-12);
        QVERIFY(std::abs(d[2] - (2.0 / 3 + 0.5)) < 1e-12);
        // Survivors: both extremes, then the more isolated b.
        QCOMPARE(selectSurvivors(points, 3), (std::vector<int>{0, 3, 1}));
        // A constant objective adds nothing: only the other one counts.
        const std::vector<Objectives> flat{{1, 7}, {2, 7}, {4, 7}};
        const auto f = crowdingDistances({0, 1, 2}, flat);
        QVERIFY(std::abs(f[1] - 1.0) < 1e-12);
    }

    void survivorsFillWholeFrontsFirst()
    {
        const std::vector<Objectives> points{{1, 5}, {2, 3}, {4, 1}, {3, 4}, {5, 5}, {4, 4}};
        QCOMPARE(selectSurvivors(points, 4), (std::vector<int>{0, 1, 2, 3}));
        const auto rc = rankAndCrowding(points);
        QCOMPARE(rc.rank, (std::vector<int>{0, 0, 0, 1, 3, 2}));
        QVERIFY(crowdedBetter(rc, 0, 3));
    }

    void bestUnderBudgetRanksByQualityThenCost()
    {
        auto candidate = [](double quality, double cost) {
            Candidate c;
            c.evaluation.quality = quality;
            c.cost = cost;
            return c;
        };
        const std::vector<Candidate> all{candidate(5, 0.4), candidate(3, 0.7), candidate(4, 0.5), candidate(4, 0.3),
                                         candidate(9, 0.1), candidate(6, 0.5)};
        const auto ranked = bestUnderBudget(all, 0.5, 3);
        QCOMPARE(ranked.size(), size_t(3));
        QCOMPARE(ranked[0].objectives(), (Objectives{4, 0.3}));  // the tie on quality goes to the cheaper
        QCOMPARE(ranked[1].objectives(), (Objectives{4, 0.5}));
        QCOMPARE(ranked[2].objectives(), (Objectives{5, 0.4}));  // 3 at 0.7 is over budget
        QCOMPARE(bestUnderBudget(all, 0.5, 10).size(), size_t(5));
        QCOMPARE(bestUnderBudget(all, 0.5)->objectives(), ranked[0].objectives());
        QVERIFY(bestUnderBudget(all, 0.05, 3).empty());
        QVERIFY(!bestUnderBudget(all, 0.05).has_value());
    }

    void geneLayoutsCoverStepsInOrder()
    {
        const auto bins = GeneLayout::parse("bins:3", 10);
        QCOMPARE(bins.genes(), 3);
        QCOMPARE(bins.expand({0, 1, 2}), (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}));
        QCOMPARE(bins.description(), std::string("bins:3"));
        QCOMPARE(GeneLayout::parse("steps", 4).expand({3, 2, 1, 0}), (std::vector<int>{3, 2, 1, 0}));
        QVERIFY_THROWS_EXCEPTION(std::exception, GeneLayout::parse("bins:11", 10));
        QVERIFY_THROWS_EXCEPTION(std::exception, GeneLayout::parse("bins:x", 10));
        // Each bin takes the width nearest to its mean step width; the first
        // bin's mean 0.875 ties between 1.0 and 0.75 and goes to the wider.
        const std::vector<double> widths{1.0, 0.75, 0.5, 0.25};
        QCOMPARE(bins.fromStepWidths({1, 1, 1, 0.5, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5}, widths), (Genome{0, 3, 2}));
        QCOMPARE(bins.fromStepWidths({1, 1, 0.75, 0.5, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5}, widths), (Genome{1, 3, 2}));
    }

    void rngIsTheReferenceSplitMix64()
    {
        // The first outputs of Vigna's splitmix64.c from state 0: a resumed
        // search relies on the same numbers on every build.
        SearchRng rng(0);
        QCOMPARE(rng.next(), uint64_t(0xe220a8397b1dcdafULL));
        QCOMPARE(rng.next(), uint64_t(0x6e789e6aa1b965f4ULL));
        QCOMPARE(rng.next(), uint64_t(0x06c45d188009454fULL));
    }

    void mutationAlwaysChangesTheGenome()
    {
        SearchRng rng(7);
        for (double perGene : {1e-12, 0.1, 1.0}) {
            for (int trial = 0; trial < 500; ++trial) {
                Genome g(12);
                for (auto& gene : g)
                    gene = rng.below(4);
                Genome m = g;
                mutate(m, 4, perGene, rng);
                int changed = 0;
                for (size_t i = 0; i < g.size(); ++i) {
                    QVERIFY(m[i] >= 0 && m[i] < 4);
                    changed += m[i] != g[i];
                }
                QVERIFY(changed >= 1);
                if (perGene == 1.0)
                    QCOMPARE(changed, 12);
                if (perGene < 1e-9)
                    QCOMPARE(changed, 1);
            }
        }
    }

    void mutationRateIsPerGene()
    {
        // With p = 1/genes the number of moved genes is Binomial(12, 1/12),
        // bumped to 1 when it is 0: mean 1 + P(0) = 1 + (11/12)^12 = 1.352.
        SearchRng rng(3);
        double total = 0;
        const int trials = 20000;
        for (int trial = 0; trial < trials; ++trial) {
            Genome g(12, 0), m = g;
            mutate(m, 2, 1.0 / 12, rng);
            total += std::count(m.begin(), m.end(), 1);
        }
        QVERIFY(std::abs(total / trials - (1 + std::pow(11.0 / 12, 12))) < 0.03);
    }

    void crossoverMixesParents()
    {
        SearchRng rng(11);
        const Genome a(8, 0), b(8, 3);
        for (int trial = 0; trial < 100; ++trial) {
            const auto [c, d] = crossover(a, b, CrossoverKind::OnePoint, rng);
            const int cut = int(std::find(c.begin(), c.end(), 3) - c.begin());
            QVERIFY(cut >= 1 && cut <= 7);
            for (int i = 0; i < 8; ++i) {
                QCOMPARE(c[i], i < cut ? 0 : 3);
                QCOMPARE(d[i], i < cut ? 3 : 0);
            }
            const auto [u, v] = crossover(a, b, CrossoverKind::Uniform, rng);
            for (int i = 0; i < 8; ++i)
                QCOMPARE(u[i] + v[i], 3);  // complementary children
        }
    }

    void findsTheClosedFormOptimumOfASyntheticProblem()
    {
        const auto problem = tenGeneProblem();
        SyntheticEvaluator evaluator(problem);
        EvolutionarySearch search(settingsFor(problem, 40, 150, 1), costOf(problem), evaluator);
        QVERIFY(search.run());
        const auto truth = problem.front();
        // Best under budget 0.5: cost 1 - m/40 <= 0.5 needs narrowing m >= 20;
        // the cheapest 20 units are 3 on each of weights 1..6 and 2 on weight 7:
        // 3 * 21 + 2 * 7 = 77.
        const auto best = search.best();
        QVERIFY(best.has_value());
        double closedForm = 1e300;
        for (const auto& [cost, quality] : truth)
            if (cost <= 0.5 + 1e-12)
                closedForm = std::min(closedForm, quality);
        QCOMPARE(closedForm, 77.0);
        QCOMPARE(best->evaluation.quality, 77.0);
        QVERIFY(best->cost <= 0.5 + 1e-12);
        // The found front lies on the true one and covers most of it.
        const auto front = search.front();
        int onTrueFront = 0;
        for (const auto& c : front)
            for (const auto& [cost, quality] : truth)
                if (std::abs(cost - c.cost) < 1e-12 && quality == c.evaluation.quality)
                    ++onTrueFront;
        QCOMPARE(onTrueFront, int(front.size()));
        QVERIFY2(front.size() >= truth.size() * 9 / 10,
                 qPrintable(QString("front %1 of %2").arg(front.size()).arg(truth.size())));
    }

    void raceContendersMatchHandWorkedExample()
    {
        auto candidate = [](double quality, double cost, double se, int64_t samples) {
            Candidate c;
            c.evaluation = {quality, std::nan(""), samples, se};
            c.cost = cost;
            return c;
        };
        const std::vector<Candidate> all{
            candidate(0, 1.0, 0, 1024),   // 0 full width: over budget
            candidate(5, 0.5, 1, 128),    // 1 5 - 2 hypot(1, 0) = 3 < 4: may still beat the best
            candidate(20, 0.6, 1, 128),   // 2 18 > 4: settled
            candidate(5.5, 0.55, 1, 128), // 3 3.5 < 4: close
            candidate(3, 0.7, 1, 128),    // 4 over budget
            candidate(6.5, 0.4, 1, 128),  // 5 4.5 > 4: settled, cheaper or not
            candidate(4, 0.5, 0, 1024),   // 6 the best under budget, at the cap
        };
        RacingSettings racing;
        racing.maxSamples = 1024;
        racing.z = 2;
        QCOMPARE(raceContenders(all, 0.6, racing), (std::vector<size_t>{1, 3}));
        // The best below its cap races too.
        auto uncapped = all;
        uncapped[6].evaluation.samples = 512;
        QCOMPARE(raceContenders(uncapped, 0.6, racing), (std::vector<size_t>{1, 3, 6}));
        racing.maxSamples = 0;
        QVERIFY(raceContenders(all, 0.6, racing).empty());
        QCOMPARE(nextSampleCount(128, 1024), 256);
        QCOMPARE(nextSampleCount(768, 1024), 1024);
    }

    // With noisy scores, racing gives the best under the budget the most
    // images, leaves candidates over the budget at the first count, and picks a
    // schedule at least as good (in true quality) as the same search without it.
    void racingSpendsImagesOnCloseCandidatesUnderTheBudget()
    {
        const auto problem = tenGeneProblem();
        NoisyEvaluator raced(problem, 32, 60.0), flat(problem, 32, 60.0);
        auto settings = settingsFor(problem, 24, 30, 5);
        settings.racing.maxSamples = 512;
        EvolutionarySearch racing(settings, costOf(problem), raced);
        QVERIFY(racing.run());
        settings.racing.maxSamples = 0;
        EvolutionarySearch plain(settings, costOf(problem), flat);
        QVERIFY(plain.run());
        const auto best = racing.best();
        QVERIFY(best.has_value());
        QCOMPARE(best->evaluation.samples, int64_t(512));
        for (const auto& c : racing.evaluated()) {
            const auto n = c.evaluation.samples;
            QVERIFY(n == 32 || n == 64 || n == 128 || n == 256 || n == 512);
            if (c.cost > 0.5 + 1e-12)
                QCOMPARE(n, int64_t(32));
        }
        QVERIFY(problem.quality(best->genome) <= problem.quality(plain.best()->genome));
        qInfo("true quality of the best under budget: racing %g, plain %g (closed form 77); images %lld vs %lld",
              problem.quality(best->genome), problem.quality(plain.best()->genome),
              static_cast<long long>(raced.imagesSpent), static_cast<long long>(flat.imagesSpent));
    }

    void evaluationsAreCachedByGenome()
    {
        const auto problem = tenGeneProblem();
        SyntheticEvaluator evaluator(problem);
        EvolutionarySearch search(settingsFor(problem, 16, 15, 2), costOf(problem), evaluator);
        search.run();
        const auto& cache = search.cache();
        QCOMPARE(evaluator.repeated, 0);  // never evaluated twice
        QCOMPARE(int64_t(evaluator.evaluations), int64_t(cache.entries().size()));
        QCOMPARE(cache.lookups(), int64_t(16 * 16));  // generation 0 and 15 generations of 16 offspring
        QVERIFY(cache.hits() > 0);
        QVERIFY(cache.lookups() - cache.hits() >= int64_t(evaluator.evaluations));
        QCOMPARE(evaluator.calls, 16);  // one batch per generation
    }

    void sameSeedSameSearchOtherSeedOtherSearch()
    {
        const auto problem = tenGeneProblem();
        SyntheticEvaluator e1(problem), e2(problem), e3(problem);
        EvolutionarySearch a(settingsFor(problem, 12, 6, 5), costOf(problem), e1);
        EvolutionarySearch b(settingsFor(problem, 12, 6, 5), costOf(problem), e2);
        EvolutionarySearch c(settingsFor(problem, 12, 6, 6), costOf(problem), e3);
        a.run(), b.run(), c.run();
        QCOMPARE(keys(a.population()), keys(b.population()));
        QCOMPARE(keys(a.evaluated()), keys(b.evaluated()));
        QVERIFY(keys(a.evaluated()) != keys(c.evaluated()));
    }

    void resumedSearchEqualsUninterruptedSearch()
    {
        QTemporaryDir dir;
        const std::string whole = dir.filePath("whole.json").toStdString();
        const std::string part = dir.filePath("part.json").toStdString();
        const auto problem = tenGeneProblem();

        SyntheticEvaluator e1(problem);
        EvolutionarySearch uninterrupted(settingsFor(problem, 12, 8, 9), costOf(problem), e1);
        uninterrupted.setCheckpointPath(whole);
        QVERIFY(uninterrupted.run());

        SyntheticEvaluator e2(problem);
        EvolutionarySearch first(settingsFor(problem, 12, 3, 9), costOf(problem), e2);
        first.setCheckpointPath(part);
        QVERIFY(first.run());
        QCOMPARE(loadSearchCheckpoint(part).generation, 3);
        {
            // A damaged checkpoint names the file and the field.
            auto doc = nlohmann::json::parse(readWholeFile(part));
            doc["population"][1]["samples"] = 2.5;
            const std::string damaged = dir.filePath("damaged.json").toStdString();
            writeFileAtomically(damaged, doc.dump());
            try {
                loadSearchCheckpoint(damaged);
                QFAIL("accepted");
            } catch (const Error& e) {
                QCOMPARE(QString(e.what()),
                         QString::fromStdString(damaged + R"(: field "population[1].samples" is 2.5, expected an integer)"));
            }
        }

        SyntheticEvaluator e3(problem);
        EvolutionarySearch resumed(settingsFor(problem, 12, 8, 9), costOf(problem), e3);
        resumed.setCheckpointPath(part);
        resumed.resume(part);
        QCOMPARE(resumed.completedGenerations(), 3);
        QVERIFY(resumed.run());
        QCOMPARE(keys(resumed.population()), keys(uninterrupted.population()));
        QCOMPARE(keys(resumed.evaluated()), keys(uninterrupted.evaluated()));
        QCOMPARE(resumed.cache().hits(), uninterrupted.cache().hits());
        QCOMPARE(resumed.cache().lookups(), uninterrupted.cache().lookups());
        QCOMPARE(e2.evaluations + e3.evaluations, e1.evaluations);

        // Other settings refuse the checkpoint.
        SyntheticEvaluator e4(problem);
        EvolutionarySearch other(settingsFor(problem, 12, 8, 10), costOf(problem), e4);
        try {
            other.resume(part);
            QFAIL("resumed under another seed");
        } catch (const Error& e) {
            // The setting that differs is named, not the whole settings twice.
            QCOMPARE(QString(e.what()), QString::fromStdString(part + ": made under other settings: seed was 9, now 10 "
                                                                      "(resume with the options it was started with, "
                                                                      "or search into a new folder)"));
        }
    }

    void initialPopulationHoldsGivenAndUniformGenomes()
    {
        const auto problem = tenGeneProblem();
        SyntheticEvaluator evaluator(problem);
        auto settings = settingsFor(problem, 10, 0, 4);
        const Genome given{0, 1, 2, 3, 0, 1, 2, 3, 0, 1};
        settings.initialGenomes = {given};
        EvolutionarySearch search(settings, costOf(problem), evaluator);
        search.run();
        const auto population = search.population();
        QCOMPARE(int(population.size()), 10);
        QCOMPARE(population[0].genome, given);
        for (int w = 0; w < 4; ++w)
            QCOMPARE(population[1 + w].genome, Genome(10, w));
        std::set<Genome> distinct;
        for (const auto& c : population)
            distinct.insert(c.genome);
        QCOMPARE(int(distinct.size()), 10);
    }

    void cancelStopsAtACompleteGeneration()
    {
        const auto problem = tenGeneProblem();
        SyntheticEvaluator evaluator(problem);
        EvolutionarySearch search(settingsFor(problem, 8, 10, 3), costOf(problem), evaluator);
        std::atomic<bool> cancel{false};
        std::vector<int> seen;
        const bool finished = search.run(&cancel, [&](const GenerationReport& r) {
            seen.push_back(r.generation);
            QVERIFY(!r.front.empty());
            if (r.generation == 2)
                cancel = true;
        });
        QVERIFY(!finished);
        QCOMPARE(search.completedGenerations(), 2);
        QCOMPARE(seen, (std::vector<int>{0, 1, 2}));
    }

    void predictorPrescreensOffspring()
    {
        struct ExactPredictor : CandidatePredictor {
            const SyntheticProblem& p;
            int asked = 0;
            explicit ExactPredictor(const SyntheticProblem& problem) : p(problem) {}
            std::vector<double> predictQuality(const std::vector<Genome>& genomes) override
            {
                asked += int(genomes.size());
                std::vector<double> out;
                for (const auto& g : genomes)
                    out.push_back(p.quality(g));
                return out;
            }
        };
        const auto problem = tenGeneProblem();
        SyntheticEvaluator evaluator(problem);
        ExactPredictor predictor(problem);
        auto settings = settingsFor(problem, 10, 4, 8);
        settings.prescreenFactor = 3;
        EvolutionarySearch search(settings, costOf(problem), evaluator);
        search.setPredictor(&predictor);
        search.run();
        QCOMPARE(predictor.asked, 4 * 30);
        QCOMPARE(search.cache().lookups(), int64_t(5 * 10));  // only the kept offspring are evaluated
    }
};

QTEST_APPLESS_MAIN(TestSearch)
#include "test_search.moc"
