// The sampling side of the search on a tiny slimmable UNet: resuming from a
// shared prefix gives bit-identical images to sampling from noise, the prefix
// cache counts and evicts as specified, and exported schedules map back to the
// sampler's steps exactly; on two ranks the evaluator scores as one process.
#include "base/error.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "engine/diffusion.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "metrics/frechet.h"
#include "schedule/respacing.h"
#include "search/kept_features.h"
#include "search/pixel_features.h"
#include "search/reevaluation.h"
#include "search/sampling_evaluator.h"
#include "search/schedule_export.h"
#include "tiny_net.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <stdexcept>
#include <thread>

using namespace ddsm;

namespace {

NetConfig tinyConfig()
{
    NetConfig c = test::tinyNet();
    c.baseChannels = 8;
    c.diffusion.T = 100;
    return c;
}

constexpr int kSteps = 8;

std::shared_ptr<SlimmableDenoiser> tinyDenoiser()
{
    auto net = std::make_shared<SlimmableUNet>(tinyConfig());
    net->initialize(3);
    net->eval();
    return std::make_shared<SlimmableDenoiser>(net, "tiny", c10::Device(c10::kCPU));
}

SamplingSetup setupFor(const Denoiser& d, double eta)
{
    SamplingSetup s;
    s.sampler.kind = "ddim";
    s.sampler.steps = kSteps;
    s.sampler.eta = eta;  // stochastic: per-step noise must line up after a resume too
    s.sampler.seed = 42;
    s.timesteps = respacedTimesteps(d.diffusion().T, kSteps);
    s.widths = {1.0, 0.5};
    s.layout = GeneLayout::perStep(kSteps);
    return s;
}

GaussianStats referenceStats()
{
    auto generator = at::detail::createCPUGenerator(1);
    return computeStats(torch::randn({64, 16}, generator, torch::kDouble) * 0.3);
}

SamplingEvaluatorOptions options(bool share, size_t bytes = size_t(1) << 26)
{
    SamplingEvaluatorOptions o;
    o.samples = 10;
    o.batchSize = 4;  // three batches, the last one short
    o.sharePrefixes = share;
    o.prefixCacheBytes = bytes;
    o.featureName = downsampledPixelFeatureName(4);
    return o;
}

FeatureFunction pixels4()
{
    return [](const at::Tensor& images) { return downsampledPixelFeatures(images, 4); };
}

}  // namespace

class TestSearchSampling final : public QObject {
    Q_OBJECT
private slots:
    // One thread: tiny tensors gain nothing from more, and on a busy machine
    // waiting OpenMP threads make each call many times slower.
    void initTestCase() { torch::set_num_threads(1); }

    void sharedPrefixesGiveBitIdenticalImages()
    {
        auto denoiser = tinyDenoiser();
        SamplingEvaluator shared(*denoiser, setupFor(*denoiser, 0.5), pixels4(), referenceStats(), options(true));
        SamplingEvaluator fresh(*denoiser, setupFor(*denoiser, 0.5), pixels4(), referenceStats(), options(false));
        const std::vector<std::vector<int>> paths{
            {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 0, 0, 0},
            {1, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 1, 1, 0, 0, 1}};
        for (const auto& path : paths)
            QVERIFY(torch::equal(shared.sample(path), fresh.sample(path)));
        QVERIFY(shared.stats().stepsReused > 0);
        QCOMPARE(fresh.stats().stepsReused, int64_t(0));

        // And sampling from noise directly, batch by batch, gives the same too.
        const auto setup = setupFor(*denoiser, 0.5);
        GaussianDiffusion diffusion(denoiser->diffusion());
        std::vector<at::Tensor> batches;
        for (int start : {0, 4, 8}) {
            SamplerSettings settings = setup.sampler;
            settings.firstImage = start;
            SamplerRun run;
            run.timesteps = setup.timesteps;
            run.stepWidths = widthsOf(paths[2], setup.widths);
            run.x = initialNoise(settings.seed, start, std::min(4, 10 - start), 1, 8);
            batches.push_back(runSampler(*denoiser, diffusion, settings, run).images);
        }
        QVERIFY(torch::equal(shared.sample(paths[2]), torch::cat(batches)));
    }

    void prefixReuseIsCounted()
    {
        auto denoiser = tinyDenoiser();
        SamplingEvaluator evaluator(*denoiser, setupFor(*denoiser, 0.0), pixels4(), referenceStats(), options(true));
        evaluator.sample({0, 0, 0, 0, 0, 0, 0, 0});
        auto s = evaluator.stats();
        QCOMPARE(s.stepsRun, int64_t(3 * 8));
        QCOMPARE(s.stepsReused, int64_t(0));
        QCOMPARE(s.prefixLookups, int64_t(3));
        QCOMPARE(s.prefixHits, int64_t(0));
        // Shares the first 5 steps: each batch resumes after step 5.
        evaluator.sample({0, 0, 0, 0, 0, 1, 1, 1});
        s = evaluator.stats();
        QCOMPARE(s.stepsRun, int64_t(3 * 8 + 3 * 3));
        QCOMPARE(s.stepsReused, int64_t(3 * 5));
        QCOMPARE(s.prefixHits, int64_t(3));
        // The same path again resumes before its last step (states after the
        // last step are images, left to the evaluation cache).
        evaluator.sample({0, 0, 0, 0, 0, 1, 1, 1});
        s = evaluator.stats();
        QCOMPARE(s.stepsReused, int64_t(3 * 5 + 3 * 7));
        QVERIFY(std::abs(s.reuseRate() - double(36) / double(36 + 24 + 9 + 3)) < 1e-12);
    }

    void prefixCacheEvictsLeastRecentlyUsed()
    {
        const auto state = torch::zeros({4, 1, 8, 8});  // 1 KiB
        PrefixStateCache cache(2 * 1024);
        cache.insert(0, {0, 0, 0}, 1, state);
        cache.insert(0, {0, 0, 0}, 2, state);
        at::Tensor found;
        QCOMPARE(cache.longestPrefix(0, {0, 0, 1}, 2, &found), 2);
        QCOMPARE(cache.longestPrefix(0, {0, 0, 1}, 1, &found), 1);  // {0} is now the most recent
        cache.insert(0, {1, 1, 1}, 1, state);                       // evicts {0, 0}
        QCOMPARE(cache.stats().evictions, int64_t(1));
        QCOMPARE(cache.stats().bytes, size_t(2 * 1024));
        QCOMPARE(cache.longestPrefix(0, {0, 0, 0}, 2, &found), 1);
        QCOMPARE(cache.longestPrefix(1, {0, 0, 0}, 2, &found), 0);  // another batch of images
        QCOMPARE(cache.longestPrefix(0, {1, 1, 0}, 2, &found), 1);
        QCOMPARE(cache.stats().lookups, int64_t(5));
        QCOMPARE(cache.stats().hits, int64_t(4));
        QCOMPARE(cache.stats().stepsReused, int64_t(2 + 1 + 1 + 1));
    }

    void evaluationIsTheFrechetDistanceOfTheSamples()
    {
        auto denoiser = tinyDenoiser();
        const auto reference = referenceStats();
        SamplingEvaluator evaluator(*denoiser, setupFor(*denoiser, 0.0), pixels4(), reference, options(true));
        const Genome full(kSteps, 0), mixed{1, 1, 0, 0, 0, 0, 1, 1};
        const auto results = evaluator.evaluate({mixed, full});
        const auto features = downsampledPixelFeatures(evaluator.sample(evaluator.setup().layout.expand(full)).clamp(-1, 1), 4);
        QCOMPARE(features.size(1), int64_t(16));
        QCOMPARE(results[1].quality, frechetDistance(computeStats(features), reference));
        QCOMPARE(results[1].samples, int64_t(10));
        QVERIFY(results[0].quality != results[1].quality);
    }

    // Paired scores: full width against itself is exactly 0, a candidate's
    // score is its FID minus full width's on the same images, and raising the
    // image count extends the same images (the first rows do not change).
    void pairedScoresAndRacingExtendTheSameImages()
    {
        auto denoiser = tinyDenoiser();
        const auto reference = referenceStats();
        auto paired = options(true);
        paired.samples = 8;  // two whole batches of 4
        paired.pairedWithFullWidth = true;
        paired.uncertaintyRounds = 10;
        SamplingEvaluator evaluator(*denoiser, setupFor(*denoiser, 0.5), pixels4(), reference, paired);
        const Genome full(kSteps, 0), mixed{1, 1, 0, 0, 0, 0, 1, 1};
        const auto first = evaluator.evaluate({mixed, full});
        QCOMPARE(first[1].quality, 0.0);
        QCOMPARE(first[1].uncertainty, 0.0);
        QVERIFY(first[0].uncertainty > 0);
        QCOMPARE(first[0].samples, int64_t(8));

        auto plain = options(false);
        plain.samples = 16;
        SamplingEvaluator independent(*denoiser, setupFor(*denoiser, 0.5), pixels4(), reference, plain);
        const auto path = independent.setup().layout.expand(mixed);
        const auto fullPath = independent.setup().layout.expand(full);
        const auto mixedFeatures = independent.features(path), fullFeatures = independent.features(fullPath);
        auto fidOf = [&](const at::Tensor& f, int n) { return frechetDistance(computeStats(f.slice(0, 0, n)), reference); };
        QCOMPARE(first[0].quality, fidOf(mixedFeatures, 8) - fidOf(fullFeatures, 8));

        const auto raised = evaluator.evaluateWith({mixed}, 16);
        QCOMPARE(raised[0].samples, int64_t(16));
        QCOMPARE(raised[0].quality, fidOf(mixedFeatures, 16) - fidOf(fullFeatures, 16));
        QVERIFY(torch::equal(evaluator.cachedFeatures(path, 16), mixedFeatures));
    }

    // Batch by batch in turn samples the very images one schedule after
    // another does: the same scores, each row's seconds its own batches'.
    void sideBySideReevaluationScoresTheSameImages()
    {
        auto denoiser = tinyDenoiser();
        const auto reference = referenceStats();
        BootstrapOptions bootstrap;
        bootstrap.rounds = 10;
        const std::vector<ScheduleToReevaluate> schedules{{"full", std::vector<int>(kSteps, 0)},
                                                          {"mixed", {1, 1, 0, 0, 0, 0, 1, 1}},
                                                          {"narrow", std::vector<int>(kSteps, 1)}};
        SamplingEvaluator inTurn(*denoiser, setupFor(*denoiser, 0.5), pixels4(), reference, options(false));
        SamplingEvaluator oneByOne(*denoiser, setupFor(*denoiser, 0.5), pixels4(), reference, options(false));
        const auto sideBySide = reevaluateSideBySide(inTurn, schedules, bootstrap);
        const auto sequential = reevaluate(oneByOne, schedules, bootstrap);
        QCOMPARE(sideBySide.size(), schedules.size());
        for (size_t i = 0; i < schedules.size(); ++i) {
            QCOMPARE(sideBySide[i].label, schedules[i].label);
            QCOMPARE(sideBySide[i].fid.value, sequential[i].fid.value);
            QCOMPARE(sideBySide[i].differenceFromFirst, sequential[i].differenceFromFirst);
            QCOMPARE(sideBySide[i].differenceInterval.low, sequential[i].differenceInterval.low);
            QVERIFY(sideBySide[i].samplingSeconds > 0);
        }
        QCOMPARE(sideBySide[0].differenceFromFirst, 0.0);
        QVERIFY(sideBySide[2].differenceFromFirst != 0.0);
        // Every image sampled once per schedule: three batches (of 4, 4 and 2) of kSteps steps each.
        QCOMPARE(inTurn.stats().stepsRun, int64_t(3 * 3 * kSteps));
        QCOMPARE(inTurn.stats().stepsRun, oneByOne.stats().stepsRun);
    }

    void pairedDifferenceOfIdenticalFeaturesIsZero()
    {
        auto generator = at::detail::createCPUGenerator(2);
        const auto a = torch::randn({40, 16}, generator, torch::kDouble);
        const auto reference = referenceStats();
        BootstrapOptions o;
        o.rounds = 20;
        const auto same = pairedFidDifference(reference, a, a, o);
        QCOMPARE(same.value, 0.0);
        QCOMPARE(same.interval.low, 0.0);
        QCOMPARE(same.interval.high, 0.0);
        const auto worse = pairedFidDifference(reference, a, a + 1.0, o);
        QVERIFY(worse.value > 0 && worse.interval.low > 0);
    }

    void twoRanksScoreAsOneProcess()
    {
        // Batches 0 and 2 (short) on rank 0, batch 1 on rank 1; paired and absolute scores.
        const std::vector<Genome> genomes{{0, 0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}, {0, 1, 0, 1, 0, 1, 0, 1}};
        const auto scores = [&](ProcessGroup* ranks, bool paired) {
            auto denoiser = tinyDenoiser();
            auto o = options(true);
            o.pairedWithFullWidth = paired;
            o.ranks = ranks;
            SamplingEvaluator evaluator(*denoiser, setupFor(*denoiser, 0.5), pixels4(), referenceStats(), o);
            return evaluator.evaluate(genomes);
        };
        const int port = freeLoopbackPort();
        std::vector<std::vector<Evaluation>> onRank[2];
        std::string errors[2];
        std::vector<std::thread> ranks;
        for (int r = 0; r < 2; ++r)
            ranks.emplace_back([&, r] {
                try {
                    DistributedConfig c;
                    c.rank = c.localRank = r;
                    c.worldSize = 2;
                    c.masterPort = port;
                    c.timeoutSeconds = 20;
                    auto group = ProcessGroup::create(c);
                    onRank[r] = {scores(group.get(), true), scores(group.get(), false)};
                    // Ranks whose searches diverged are stopped, not mixed.
                    auto denoiser = tinyDenoiser();
                    auto o = options(true);
                    o.ranks = group.get();
                    SamplingEvaluator evaluator(*denoiser, setupFor(*denoiser, 0.5), pixels4(), referenceStats(), o);
                    try {
                        evaluator.evaluate({genomes[size_t(r)]});
                        errors[r] = "different candidates went unnoticed";
                    } catch (const Error& e) {
                        if (std::string(e.what()).find("asked to score different candidates") == std::string::npos)
                            errors[r] = e.what();
                    }
                } catch (const std::exception& e) {
                    errors[r] = e.what();
                }
            });
        for (auto& t : ranks)
            t.join();
        QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + " / " + errors[1]).c_str());
        const std::vector<std::vector<Evaluation>> one{scores(nullptr, true), scores(nullptr, false)};
        for (int r = 0; r < 2; ++r)
            for (size_t kind = 0; kind < 2; ++kind)
                for (size_t i = 0; i < genomes.size(); ++i) {
                    QVERIFY(onRank[r][kind][i].quality == one[kind][i].quality);  // exactly, not fuzzily
                    QVERIFY(onRank[r][kind][i].uncertainty == one[kind][i].uncertainty);
                    QCOMPARE(onRank[r][kind][i].samples, int64_t(10));
                }
        QVERIFY(one[0][1].quality != one[0][0].quality);
    }

    // Kept features: only rows neither kept nor stored are sampled; a store is
    // read once and resumed at a whole call; a failed save or a throwing
    // sampler loses nothing kept.
    void keptFeaturesSampleOnlyWhatIsMissing()
    {
        std::vector<std::pair<int, int>> calls;
        // Row i holds i + marker: which sampling made a row shows in its value.
        const auto sampler = [&](double marker) {
            return [&calls, marker](int begin, int end) {
                calls.emplace_back(begin, end);
                return (torch::arange(begin, end, torch::kFloat64) + marker).unsqueeze(1);
            };
        };
        KeptFeatures memory;
        QCOMPARE(memory.upTo(3, sampler(0)).size(0), int64_t(3));
        QCOMPARE(memory.upTo(2, sampler(0)).size(0), int64_t(2));
        const at::Tensor five = memory.upTo(5, sampler(0));
        QCOMPARE(calls, (std::vector<std::pair<int, int>>{{0, 3}, {3, 5}}));
        QVERIFY(torch::equal(five, torch::arange(0, 5, torch::kFloat64).unsqueeze(1)));
        QCOMPARE(memory.sampled(), int64_t(5));

        QTemporaryDir dir;
        const std::string store = dir.path().toStdString() + "/store";
        calls.clear();
        KeptFeatures first(store, "key", 4);
        first.upTo(6, sampler(0));
        QVERIFY(first.storeProblem().empty());
        KeptFeatures next(store, "key", 4);  // another run: reads the 6 stored rows, resumes at row 4
        const at::Tensor ten = next.upTo(10, sampler(100));
        QCOMPARE(calls, (std::vector<std::pair<int, int>>{{0, 6}, {4, 10}}));
        QCOMPARE(next.fromStore(), int64_t(6));
        QCOMPARE(next.sampled(), int64_t(6));
        QCOMPARE(ten[3].item<double>(), 3.0);      // stored
        QCOMPARE(ten[4].item<double>(), 104.0);    // sampled again: the stored call ended mid-way
        QCOMPARE(KeptFeatures(store, "other", 4).upTo(2, sampler(7))[0].item<double>(), 7.0);  // another key

        const std::string blocked = dir.path().toStdString() + "/a-file";
        QFile(QString::fromStdString(blocked)).open(QIODevice::WriteOnly);
        KeptFeatures unstored(blocked, "key", 1);
        QCOMPARE(unstored.upTo(2, sampler(0)).size(0), int64_t(2));
        QVERIFY2(unstored.storeProblem().find(blocked) != std::string::npos, unstored.storeProblem().c_str());
        bool thrown = false;
        try {
            unstored.upTo(4, [](int, int) -> at::Tensor { throw std::runtime_error("cancelled"); });
        } catch (const std::runtime_error&) {
            thrown = true;
        }
        QVERIFY(thrown);
        QCOMPARE(unstored.size(), 2);
    }

    void exportedScheduleLooksUpTheSameStepWidths()
    {
        const auto timesteps = respacedTimesteps(1000, 50);
        std::vector<double> widths;
        for (int k = 0; k < 50; ++k)
            widths.push_back(std::vector<double>{1.0, 0.75, 0.5, 0.25}[(k * 7) % 4]);
        const auto schedule = scheduleFromStepWidths(1000, timesteps, widths);
        QCOMPARE(schedule.T(), 1000);
        QCOMPARE(stepWidths(schedule, 50), widths);
        // Between two steps the width is that of the step above.
        QCOMPARE(schedule.widthAt(timesteps[1] + 1), widths[0]);
        QCOMPARE(schedule.widthAt(0), widths.back());
    }
};

QTEST_APPLESS_MAIN(TestSearchSampling)
#include "test_search_sampling.moc"
