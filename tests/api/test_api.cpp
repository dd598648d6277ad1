// The public API on a tiny 28x28 slimmable UNet scored with the shipped
// features: schedules compared on the same noise differ by exactly zero from
// themselves, the cancel token stops sample and search, a search validates its
// finalists and re-evaluates the chosen one next to full width, and progress
// arrives in the documented stages.
#include "api/ddsm_api.h"

#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "error_of.h"
#include "tiny_scored_net.h"

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace ddsm;

namespace {

api::Model tinyModel()
{
    auto net = std::make_shared<SlimmableUNet>(test::tinyScoredNet());
    net->initialize(5);
    net->eval();
    return api::Model(std::make_shared<SlimmableDenoiser>(net, "tiny", c10::Device(c10::kCPU)), "tiny");
}

// test::tinyScoredNet() initialised with `seed`, written as a model file; returns its path.
std::string writeTinyModel(const QTemporaryDir& dir, const std::string& name, uint64_t seed)
{
    const std::string path = (std::filesystem::path(dir.path().toStdString()) / name).string();
    SlimmableUNet net(test::tinyScoredNet());
    net.initialize(seed);
    saveModel(path, net, "{}");
    return path;
}

api::Sampler fourSteps()
{
    api::Sampler s;
    s.steps = 4;
    s.seed = 7;
    return s;
}

// A tracked measurement of `samples` images in batches of 8, without KID.
api::QualityTrackOptions smallTracking(int samples, double width, int T)
{
    api::QualityTrackOptions options;
    options.widthsByTimestep.assign(size_t(T), width);
    options.sampler = fourSteps();
    options.maxSamples = samples;
    options.batch = 8;
    options.minSamples = samples;
    options.kid = false;
    return options;
}

// A search of 4 schedules of two genes, scored on 8 images each (unpaired, no racing).
api::SearchOptions smallSearch()
{
    api::SearchOptions options;
    options.sampler = fourSteps();
    options.granularity = "bins:2";
    options.features = "default";
    options.population = 4;
    options.samplesPerCandidate = 8;
    options.batch = 8;
    options.pairedScore = false;
    options.raceMaxSamples = 0;
    return options;
}

}  // namespace

class TestApi final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void modelReportsItsShapeAndCosts()
    {
        const api::Model model = tinyModel();
        QVERIFY(model.isOpen());
        QCOMPARE(model.imageSize(), 28);
        QCOMPARE(model.T(), 100);
        QCOMPARE(model.widths(), (std::vector<double>{1.0, 0.5}));
        api::CostOptions options;
        options.schedule = api::ScheduleRequest{};
        options.schedule->width = 0.5;
        options.sampler = fourSteps();
        const api::CostReport costs = api::countCosts(model, options);
        QVERIFY(costs.layered);
        QCOMPARE(costs.macsPerWidth[0], model.macsPerImage(1.0));
        QCOMPARE(costs.steps, 4);
        // Every step at width 0.5: the saving is 1 - MACs(0.5) / MACs(1).
        QVERIFY(std::abs(costs.saving - (1 - model.macsPerImage(0.5) / model.macsPerImage(1.0))) < 1e-12);
        QVERIFY(!api::Model().isOpen());
        QVERIFY(test::errorOf([] { api::openModel({}); }).find("no MODEL given") == 0);
    }

    // Each step costs one forward pass at its width; a width the model lacks
    // costs as the nearest wider one, a wider one as full width.
    void stepCostsCountEachStepAtItsWidth()
    {
        const api::Model model = tinyModel();
        const std::vector<double> widths = model.widths();
        std::vector<double> macs;
        for (double w : widths)
            macs.push_back(model.macsPerImage(w));
        const double full = model.macsPerImage(1.0), half = model.macsPerImage(0.5);
        QVERIFY(half < full);
        const api::StepCosts c = api::costOfStepWidths({1.0, 0.5, 0.5, 0.75, 0.25, 1.5}, widths, macs);
        const double expected = 2e-9 * (full + half + half + full + half + full);
        QVERIFY(std::abs(c.gflopsPerImage - expected) < 1e-12 * expected);
        QVERIFY(std::abs(c.fullWidthGflopsPerImage - 2e-9 * 6 * full) < 1e-12 * full);
        QVERIFY(std::abs(c.saving - (1 - expected / (2e-9 * 6 * full))) < 1e-12);
    }

    void compareScoresTheSameNoise()
    {
        api::CompareOptions options;
        options.schedules = {"width:1", "width:1", "width:0.5"};
        options.sampler = fourSteps();
        options.samples = 16;
        options.batch = 8;
        options.bootstrapRounds = 10;
        int started = 0, scored = 0;
        options.progress = [&](const api::CompareProgress& p) {
            started += p.stage == api::CompareProgress::Stage::Started;
            scored += p.stage == api::CompareProgress::Stage::Scored;
        };
        const api::CompareResult result = api::compare(tinyModel(), options);
        QCOMPARE(started, 1);
        QCOMPARE(scored, 3);
        QCOMPARE(int(result.rows.size()), 3);
        // The same schedule on the same noise: the same images, the same FID.
        QCOMPARE(result.rows[1].fid, result.rows[0].fid);
        QCOMPARE(result.rows[1].minusFirst, 0.0);
        QCOMPARE(result.rows[2].stepWidths, std::vector<double>(4, 0.5));
        QVERIFY(result.rows[2].fid != result.rows[0].fid);
        QVERIFY(result.rows[2].relativeCost < 0.5 && result.rows[0].relativeCost == 1.0);
    }

    // Full width's features stored by one compare are read by the next, which
    // scores exactly as sampling them again would; more images than stored
    // sample only the rest, and a damaged store file is sampled over.
    void compareReadsFullWidthFromTheFeatureStore()
    {
        QTemporaryDir dir;
        const std::string modelPath = writeTinyModel(dir, "tiny.safetensors", 5);
        api::OpenOptions open;
        open.path = modelPath;
        const api::Model model = api::openModel(open);
        const std::string store = (std::filesystem::path(dir.path().toStdString()) / "store").string();
        const auto compareWith = [&](std::vector<std::string> schedules, int samples, const std::string& featureStore) {
            api::CompareOptions options;
            options.schedules = std::move(schedules);
            options.sampler = fourSteps();
            options.samples = samples;
            options.batch = 8;
            options.bootstrapRounds = 10;
            options.featureStore = featureStore;
            return api::compare(model, options).rows;
        };
        const auto run = [&](int samples, const std::string& featureStore) {
            return compareWith({"width:1", "width:0.5"}, samples, featureStore);
        };
        const auto sampled = run(24, "");
        const auto first = run(16, store);
        QCOMPARE(first[0].imagesFromStore, int64_t(0));
        QCOMPARE(int(std::distance(std::filesystem::directory_iterator(store), {})), 1);
        const auto reread = run(16, store);
        QCOMPARE(reread[0].imagesFromStore, int64_t(16));
        QCOMPARE(reread[0].samplingSeconds, 0.0);
        QCOMPARE(reread[0].fid, first[0].fid);
        QCOMPARE(reread[1].minusFirst, first[1].minusFirst);
        QCOMPARE(reread[1].imagesFromStore, int64_t(0));  // only full width is stored
        const auto extended = run(24, store);             // 16 read, 8 sampled
        QCOMPARE(extended[0].imagesFromStore, int64_t(16));
        QVERIFY(extended[0].samplingSeconds > 0);
        QCOMPARE(extended[0].fid, sampled[0].fid);
        QCOMPARE(extended[1].minusFirst, sampled[1].minusFirst);
        // A damaged file is a cache miss, not an error.
        const auto file = std::filesystem::directory_iterator(store)->path();
        std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
        const auto damaged = run(24, store);
        QCOMPARE(damaged[0].imagesFromStore, int64_t(0));
        QCOMPARE(damaged[0].fid, sampled[0].fid);
        QCOMPARE(run(24, store)[0].imagesFromStore, int64_t(24));

        // Another model file's full width (SPEC@MODEL, same widths) is its own
        // entry, never the first model's stored rows.
        const std::string otherPath = writeTinyModel(dir, "other.safetensors", 6);
        const auto againstOther = [&](const std::string& featureStore) {
            return compareWith({"width:1", "width:1@" + otherPath}, 16, featureStore);
        };
        const auto unstored = againstOther("");
        QVERIFY(unstored[1].minusFirst != 0.0);
        for (int pass = 0; pass < 2; ++pass) {  // the second pass reads both from the store
            const auto stored = againstOther(store);
            QCOMPARE(stored[1].minusFirst, unstored[1].minusFirst);
            QCOMPARE(stored[1].imagesFromStore, int64_t(pass == 0 ? 0 : 16));
        }
    }

    // The tracked estimate of a narrower schedule, batch by batch, ends where
    // `compare width:1 width:0.5` lands on the same images: the same FIDs and
    // the same paired difference. A second tracking reads full width from the
    // feature store (keyed by describeModel's sha256 or the file hashed) and
    // gives the same numbers without sampling it.
    void trackQualityEndsOnComparesPairedEstimate()
    {
        QTemporaryDir dir;
        api::OpenOptions open;
        open.path = writeTinyModel(dir, "tiny.safetensors", 5);
        const api::Model model = api::openModel(open);
        const std::string store = (std::filesystem::path(dir.path().toStdString()) / "store").string();

        api::CompareOptions compare;
        compare.schedules = {"width:1", "width:0.5"};
        compare.sampler = fourSteps();
        compare.samples = 16;
        compare.batch = 8;
        const auto rows = api::compare(model, compare).rows;

        api::QualityTrackOptions options = smallTracking(16, 0.5, model.T());
        options.featureStore = store;
        std::vector<api::QualityTrackEstimate> estimates;
        options.progress = [&](const api::QualityTrackEstimate& e) { estimates.push_back(e); };
        api::QualityMemory memory;
        const api::QualityTrackResult tracked = api::trackQuality(model, memory, options);
        QVERIFY(!tracked.cancelled && tracked.last);
        QCOMPARE(int(estimates.size()), 2);
        QCOMPARE(estimates[0].samples, 8);
        QVERIFY(!estimates[0].finished && estimates[1].finished);
        const api::QualityTrackEstimate& last = *tracked.last;
        QCOMPARE(last.samples, 16);
        QVERIFY(last.minusFullWidth);
        QCOMPARE(last.fullWidthSampled, int64_t(16));
        const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(1.0, std::abs(b)); };
        QVERIFY2(near(last.fid.value, rows[1].fid), qPrintable(QString::number(last.fid.value - rows[1].fid)));
        QVERIFY(near(last.fullWidthFid, rows[0].fid));
        QVERIFY(near(last.minusFullWidth->value, rows[1].minusFirst));
        QVERIFY(last.minusFullWidth->low <= last.minusFullWidth->value &&
                last.minusFullWidth->value <= last.minusFullWidth->high);

        // A fresh memory (the next launch) keyed by describeModel's sha256.
        options.modelSha256 = api::describeModel(model).sha256;
        options.progress = {};
        api::QualityMemory nextLaunch;
        const api::QualityTrackEstimate reread = *api::trackQuality(model, nextLaunch, options).last;
        QCOMPARE(reread.fullWidthSampled, int64_t(0));
        QCOMPARE(reread.fid.value, last.fid.value);
        QCOMPARE(reread.fullWidthFid, last.fullWidthFid);
        QCOMPARE(reread.minusFullWidth->value, last.minusFullWidth->value);
        QCOMPARE(reread.minusFullWidth->low, last.minusFullWidth->low);
        QCOMPARE(reread.minusFullWidth->high, last.minusFullWidth->high);

        // Without a store, the memory alone keeps full width for the next schedule.
        options.featureStore.clear();
        options.widthsByTimestep.assign(size_t(model.T()), 1.0);
        options.widthsByTimestep.back() = 0.5;  // the last step at half width
        api::QualityMemory inMemory;
        QCOMPARE(api::trackQuality(model, inMemory, options).last->fullWidthSampled, int64_t(16));
        options.widthsByTimestep.front() = 0.5;
        QCOMPARE(api::trackQuality(model, inMemory, options).last->fullWidthSampled, int64_t(0));

        // Measuring full width itself keeps its images: the next schedule is
        // paired without sampling full width again, on compare's figures.
        api::QualityMemory fullFirst;
        options.widthsByTimestep.assign(size_t(model.T()), 1.0);
        const api::QualityTrackEstimate fullRun = *api::trackQuality(model, fullFirst, options).last;
        QCOMPARE(fullRun.fullWidthSampled, int64_t(16));
        QVERIFY(!fullRun.minusFullWidth);
        QVERIFY(near(fullRun.fid.value, rows[0].fid));
        options.widthsByTimestep.assign(size_t(model.T()), 0.5);
        const api::QualityTrackEstimate afterFull = *api::trackQuality(model, fullFirst, options).last;
        QCOMPARE(afterFull.fullWidthSampled, int64_t(0));
        QVERIFY(near(afterFull.minusFullWidth->value, rows[1].minusFirst));
    }

    // Without a given sha256 the store is keyed by the file as it is now: a
    // model file rewritten with other weights does not read the old one's
    // full width.
    void trackQualityKeysTheStoreByTheFileAsItIsNow()
    {
        QTemporaryDir dir;
        const std::string store = (std::filesystem::path(dir.path().toStdString()) / "store").string();
        api::QualityMemory memory;
        api::OpenOptions open;
        open.path = writeTinyModel(dir, "tiny.safetensors", 5);
        const api::Model first = api::openModel(open);
        api::QualityTrackOptions options = smallTracking(8, 0.5, first.T());
        options.featureStore = store;
        QCOMPARE(api::trackQuality(first, memory, options).last->fullWidthSampled, int64_t(8));
        QCOMPARE(api::trackQuality(api::openModel(open), memory, options).last->fullWidthSampled, int64_t(0));
        QCOMPARE(writeTinyModel(dir, "tiny.safetensors", 6), open.path);
        QCOMPARE(api::trackQuality(api::openModel(open), memory, options).last->fullWidthSampled, int64_t(8));
        QVERIFY(api::trackQuality(api::openModel(open), memory, options).last->storeProblem.empty());

        // A store that cannot be written: measured all the same, and it says why.
        const std::string blocked = (std::filesystem::path(dir.path().toStdString()) / "a-file").string();
        QFile(QString::fromStdString(blocked)).open(QIODevice::WriteOnly);  // where the store's folder would go
        options.featureStore = blocked;
        api::QualityMemory another;
        const api::QualityTrackEstimate unstored = *api::trackQuality(api::openModel(open), another, options).last;
        QCOMPARE(unstored.fullWidthSampled, int64_t(8));
        QVERIFY(unstored.minusFullWidth);
        QVERIFY2(unstored.storeProblem.find("could not store features in " + blocked) != std::string::npos,
                 unstored.storeProblem.c_str());
    }

    // Full width alone has nothing to pair with; the cancel token stops the
    // tracking between batches.
    void trackQualityOfFullWidthStopsWhenCancelled()
    {
        const api::Model model = tinyModel();
        api::QualityTrackOptions options = smallTracking(24, 1.0, model.T());
        api::CancelToken cancel{false};
        options.cancel = &cancel;
        int batches = 0;
        options.progress = [&](const api::QualityTrackEstimate& e) {
            QVERIFY(!e.minusFullWidth);
            if (++batches == 2)
                cancel = true;
        };
        api::QualityMemory memory;
        const api::QualityTrackResult result = api::trackQuality(model, memory, options);
        QVERIFY(result.cancelled);
        QCOMPARE(batches, 2);
        QCOMPARE(result.last->samples, 16);
        options.widthsByTimestep.pop_back();
        QVERIFY(test::errorOf([&] { api::trackQuality(model, memory, options); }).find("T = 100") != std::string::npos);
    }

    // Frames written as numbered PNGs keep their pixels (RGB in, RGB read back).
    void animationFramesKeepTheirPixels()
    {
        QTemporaryDir dir;
        api::AnimationOptions options;
        for (int f = 0; f < 2; ++f) {
            api::Image8 frame;
            frame.width = 3;
            frame.height = 2;
            frame.channels = 3;
            for (int i = 0; i < 18; ++i)
                frame.pixels.push_back(uint8_t(10 * i + f));
            options.frames.push_back(frame);
        }
        options.path = (dir.path() + "/frames").toStdString();
        api::writeAnimation(options);
        const cv::Mat second = cv::imread(options.path + "/frame_00001.png", cv::IMREAD_UNCHANGED);
        QCOMPARE(second.cols, 3);
        QCOMPARE(second.rows, 2);
        QCOMPARE(second.channels(), 3);
        const cv::Vec3b bgr = second.at<cv::Vec3b>(1, 2);  // the last pixel
        QCOMPARE(int(bgr[2]), 10 * 15 + 1);
        QCOMPARE(int(bgr[1]), 10 * 16 + 1);
        QCOMPARE(int(bgr[0]), 10 * 17 + 1);
        options.frames[1].pixels.pop_back();
        QVERIFY(test::errorOf([&] { api::writeAnimation(options); }).find("animation frame 1") == 0);
    }

    // Per-step widths go back to the training axis so that they run again.
    void stepWidthsGoBackToTheTrainingAxis()
    {
        const std::vector<double> steps{1.0, 0.5, 0.75, 0.25};
        const std::vector<double> byT = api::widthsByTimestep(100, steps);
        QCOMPARE(int(byT.size()), 100);
        // The sampler's timesteps 99, 66, 33, 0 each see their step's width.
        QCOMPARE(byT[99], 1.0);
        QCOMPARE(byT[66], 0.5);
        QCOMPARE(byT[33], 0.75);
        QCOMPARE(byT[0], 0.25);
        QCOMPARE(byT[67], 1.0);  // between steps: the step above it
        QVERIFY(test::errorOf([] { api::widthsByTimestep(3, std::vector<double>(4, 1.0)); }).find("steps = 4") !=
                std::string::npos);
    }

    void sampleWritesItsGridUnlessCancelled()
    {
        QTemporaryDir dir;
        api::SampleOptions options;
        options.sampler = fourSteps();
        options.count = 2;
        options.gridPath = (dir.path() + "/grid.png").toStdString();
        std::vector<int> steps;
        options.progress = [&](const api::SampleStep& s) { steps.push_back(s.step); };
        const api::SampleResult done = api::sample(tinyModel(), options);
        QVERIFY(!done.cancelled);
        QCOMPARE(steps, (std::vector<int>{0, 1, 2, 3}));
        QVERIFY(std::filesystem::exists(options.gridPath));

        api::CancelToken cancel{true};
        options.cancel = &cancel;
        options.gridPath = (dir.path() + "/cancelled.png").toStdString();
        QVERIFY(api::sample(tinyModel(), options).cancelled);
        QVERIFY(!std::filesystem::exists(options.gridPath));
    }

    void qualityEstimatesBatchByBatch()
    {
        api::QualityOptions options;
        options.sampler = fourSteps();
        options.samples = 8;
        options.batch = 4;
        options.bootstrapRounds = 10;
        options.kidData = "none";
        std::vector<int64_t> batches;
        options.progress = [&](const api::QualityProgress& p) {
            if (p.stage == api::QualityProgress::Stage::Batch)
                batches.push_back(p.done);
        };
        const api::QualityResult result = api::measureQuality(tinyModel(), options);
        QCOMPARE(batches, std::vector<int64_t>{4});  // the last batch is the result itself
        QCOMPARE(result.fid.samples, int64_t(8));
        QVERIFY(!result.kid);
    }

    void searchStopsWhenCancelled()
    {
        api::SearchOptions options = smallSearch();
        options.generations = 10;
        api::CancelToken cancel{false};
        options.cancel = &cancel;
        int generations = 0;
        options.progress = [&](const api::SearchProgress& p) {
            if (p.stage == api::SearchProgress::Stage::Generation && ++generations == 1)
                cancel = true;
        };
        const api::SearchResult result = api::search(tinyModel(), options);
        QVERIFY(result.cancelled);
        QCOMPARE(generations, 1);
        QVERIFY(!result.chosen);
    }

    // A feature store that cannot be written costs nothing but time: the
    // search completes and says once why full width was not kept.
    void searchNamesAFeatureStoreItCannotWrite()
    {
        QTemporaryDir dir;
        const std::string blocked = (std::filesystem::path(dir.path().toStdString()) / "a-file").string();
        QFile(QString::fromStdString(blocked)).open(QIODevice::WriteOnly);  // where the store's folder would go
        api::OpenOptions open;
        open.path = writeTinyModel(dir, "m.safetensors", 5);
        api::SearchOptions options = smallSearch();
        options.pairedScore = true;
        options.featureStore = blocked;
        options.generations = 0;
        QStringList notes;
        options.progress = [&](const api::SearchProgress& p) {
            if (p.stage == api::SearchProgress::Stage::Note)
                notes << QString::fromStdString(p.note);
        };
        const api::SearchResult result = api::search(api::openModel(open), options);
        QVERIFY(!result.cancelled && result.best);
        QCOMPARE(notes.filter(QStringLiteral("could not store features in ") + QString::fromStdString(blocked)).size(), 1);
    }

    void searchValidatesFinalistsAndReevaluates()
    {
        api::SearchOptions options = smallSearch();
        options.budget = 1.0;  // every schedule fits
        options.generations = 0;
        options.finalists = 3;
        options.finalSamples = 8;
        options.bootstrapRounds = 10;
        std::vector<api::SearchProgress::Stage> stages;
        options.progress = [&](const api::SearchProgress& p) { stages.push_back(p.stage); };
        const api::SearchResult result = api::search(tinyModel(), options);
        QVERIFY(!result.cancelled && result.best && result.chosen);
        using Stage = api::SearchProgress::Stage;
        QCOMPARE(stages, (std::vector<Stage>{Stage::Started, Stage::Generation, Stage::Validating, Stage::Validated}));
        QCOMPARE(int(result.validation.finalists.size()), 3);
        QCOMPARE(result.validation.seed, uint64_t(7 + 1000003 + 1));
        QCOMPARE(result.chosen->stepWidths, result.validation.finalists[result.validation.chosen].point.stepWidths);
        for (const auto& f : result.validation.finalists)
            QVERIFY(result.validation.finalists[result.validation.chosen].validationQuality <= f.validationQuality);
        QCOMPARE(int(result.reevaluation.size()), 2);
        QCOMPARE(result.reevaluation[0].stepWidths, std::vector<double>(4, 1.0));
        QCOMPARE(result.reevaluation[0].minusFirst, 0.0);
        QCOMPARE(result.reevaluation[1].stepWidths, result.chosen->stepWidths);
        QCOMPARE(result.finalSamples, 8);
    }
};

QTEST_APPLESS_MAIN(TestApi)
#include "test_api.moc"
