// api::measureImportance on a tiny network: the profile equals the one the
// evaluation module's functions measure directly with the same settings, its
// CSV reads back to it, and its overlay is each bin's figure at every t.
#include "api/ddsm_api.h"

#include "data/dataset_spec.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/step_importance.h"
#include "metrics/stats_file.h"
#include "error_of.h"
#include "tiny_scored_net.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ddsm;

namespace {

// Four bins of 8 noised images and distances of 8 samples (DDIM 4 steps, seed 3) from `folder`.
api::ImportanceOptions tinyImportance(const std::string& folder)
{
    api::ImportanceOptions options;
    options.data = folder;
    options.bins = 4;
    options.imagesPerBin = 8;
    options.batch = 4;
    options.distanceSamples = 8;
    options.sampler.steps = 4;
    options.sampler.seed = 3;
    return options;
}

}  // namespace

class TestApiImportance final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void theProfileIsTheEvaluationModulesAndRoundTrips()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/images";
        test::writeImageFolder(folder, 12);
        const api::Model model = test::tinyScoredModel();

        api::ImportanceOptions options = tinyImportance(folder);
        std::vector<api::ImportanceProgress> progress;
        options.progress = [&](const api::ImportanceProgress& p) { progress.push_back(p); };
        const api::ImportanceResult result = api::measureImportance(model, options);
        const api::ImportanceProfile& profile = result.profile;

        // The same measurement made with the evaluation module directly.
        ImageFolderOptions folderOptions;
        folderOptions.image_size = 28;
        folderOptions.channels = 1;
        const auto data = loadDataset(folder, folderOptions);
        EpsDepartureSettings settings;
        settings.bins = 4;
        settings.imagesPerBin = 8;
        settings.batch = 4;
        settings.seed = 3;
        StepImportance truth = measureEpsDeparture(*model.denoiser(), data.images, settings);
        SamplerSettings sampler;
        sampler.steps = 4;
        sampler.seed = 3;
        auto extractor = openFeatureExtractor("default", {});
        measureDistanceChanges(truth, *model.denoiser(), *extractor, loadStatsNpz(defaultReferenceStatsPath()), sampler,
                               8, 4);
        QVERIFY(result.mainRank);
        QCOMPARE(result.data, data.description);
        QCOMPARE(profile.binEdges, (std::vector<int>{0, 25, 50, 75, 100}));
        QCOMPARE(profile.widths, truth.widths);
        QCOMPARE(profile.epsDeparture, truth.epsDeparture);
        QCOMPARE(profile.epsError, truth.epsError);
        QCOMPARE(profile.distanceChange, truth.distanceChange);
        QCOMPARE(profile.fullWidthDistance, truth.fullWidthDistance);
        QCOMPARE(profile.distanceSettings, truth.distanceSettings);
        QCOMPARE(profile.imagesPerBin, int64_t(8));
        QVERIFY(profile.epsDeparture[3][1] > 0);

        // Started, then every bin, then this rank's two batches of distances.
        QCOMPARE(int(progress.size()), 1 + 4 + 2);
        QCOMPARE(progress[0].stage, api::ImportanceProgress::Stage::Started);
        QCOMPARE(progress[0].data, data.description);
        QCOMPARE(progress[4].stage, api::ImportanceProgress::Stage::EpsDeparture);
        QCOMPARE(progress[4].done, 4);
        QCOMPARE(progress[6].stage, api::ImportanceProgress::Stage::DistanceChanges);
        QCOMPARE(progress[6].done, progress[6].total);

        // The files: the CSV reads back to the profile (6 significant digits).
        const std::string prefix = dir.path().toStdString() + "/profile";
        api::writeImportanceProfile(profile, prefix, "step importance: tiny");
        QVERIFY(QFileInfo(QString::fromStdString(prefix + ".png")).size() > 0);
        const api::ImportanceProfile back = api::readImportanceProfile(prefix + ".csv");
        QCOMPARE(back.binEdges, profile.binEdges);
        QCOMPARE(back.widths, profile.widths);
        for (int b = 0; b < 4; ++b)
            for (size_t w = 0; w < 2; ++w) {
                QVERIFY(std::abs(back.epsDeparture[b][w] - profile.epsDeparture[b][w]) <=
                        1e-5 * std::abs(profile.epsDeparture[b][w]));
                QVERIFY(std::abs(back.distanceChange[b][w] - profile.distanceChange[b][w]) <=
                        1e-5 * std::abs(profile.distanceChange[b][w]) + 1e-12);
            }
        QVERIFY(test::errorOf([&] { api::readImportanceProfile(prefix + ".missing.csv"); }).find("profile.missing.csv") !=
                std::string::npos);

        // The overlay: each t carries its bin's figure for that width.
        const auto departure = api::importancePerTimestep(profile, 0.5);
        const auto change = api::importancePerTimestep(profile, 0.5, true);
        QCOMPARE(int(departure.size()), 100);
        for (int t = 0; t < 100; ++t) {
            QCOMPARE(departure[size_t(t)], profile.epsDeparture[size_t(t / 25)][1]);
            QCOMPARE(change[size_t(t)], profile.distanceChange[size_t(t / 25)][1]);
        }
        QVERIFY(!test::errorOf([&] { api::importancePerTimestep(profile, 0.3); }).empty());
    }

    // A token set in either stage stops the measurement before its next batch:
    // no profile, and no progress after the one that set it.
    void aCancelledMeasurementStopsInEitherStage()
    {
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString() + "/images";
        test::writeImageFolder(folder, 12);
        const api::Model model = test::tinyScoredModel();
        for (const auto stage : {api::ImportanceProgress::Stage::EpsDeparture,
                                 api::ImportanceProgress::Stage::DistanceChanges}) {
            api::ImportanceOptions options = tinyImportance(folder);
            api::CancelToken cancel{false};
            options.cancel = &cancel;
            std::vector<api::ImportanceProgress> progress;
            options.progress = [&](const api::ImportanceProgress& p) {
                progress.push_back(p);
                cancel = p.stage == stage && p.done == 1;
            };
            const api::ImportanceResult result = api::measureImportance(model, options);
            QVERIFY(result.cancelled);
            QVERIFY(result.profile.binEdges.empty());
            QCOMPARE(progress.back().stage, stage);
            QCOMPARE(progress.back().done, 1);
        }
    }
};

QTEST_APPLESS_MAIN(TestApiImportance)
#include "test_api_importance.moc"
