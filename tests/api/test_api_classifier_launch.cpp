// api::trainFeatureClassifier writes the classifier the evaluation module
// trains directly with the same settings (or nothing below the accuracy
// asked for), and api::launch runs the ranks of a job with torchrun's
// environment, returning a failing rank's exit code.
#include "api/ddsm_api.h"

#include "data/dataset_spec.h"
#include "evaluation/classifier_file.h"
#include "evaluation/classifier_training.h"
#include "error_of.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace ddsm;

class TestApiClassifierLaunch final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void theClassifierIsTheEvaluationModulesOrNothing()
    {
        QTemporaryDir dir;
        api::ClassifierTrainingOptions options;
        options.out = dir.path().toStdString() + "/classifier.safetensors";
        options.data = "fashion-mnist:test";  // 10,000 images: an epoch in moments
        options.epochs = 1;
        options.batch = 500;
        options.conv1 = 4;
        options.conv2 = 8;
        options.featureDim = 8;
        options.seed = 2;
        options.minAccuracy = 0;
        options.command = "test";
        int epochs = 0;
        options.progress = [&](const api::ClassifierProgress& p) {
            epochs += p.stage == api::ClassifierProgress::Stage::Epoch;
        };
        const api::ClassifierTrainingResult result = api::trainFeatureClassifier(options);
        QVERIFY(result.written);
        QCOMPARE(epochs, 1);
        QCOMPARE(result.featureName, std::string("fmnist-cnn-8"));

        // The same training made with the evaluation module directly.
        const auto data = loadDataset("fashion-mnist:test");
        ClassifierConfig config;
        config.conv1 = 4;
        config.conv2 = 8;
        config.featureDim = 8;
        ClassifierTrainOptions training;
        training.epochs = 1;
        training.batchSize = 500;
        training.seed = 2;
        auto net = makeClassifier(config, training.seed);
        const auto last = trainClassifier(net, data.images, data.labels, data.images, data.labels, training);
        QCOMPARE(result.testAccuracy, last.testAccuracy);
        LoadedClassifier written = loadClassifier(options.out);
        QCOMPARE(written.info.featureName, std::string("fmnist-cnn-8"));
        QCOMPARE(written.info.testAccuracy, last.testAccuracy);
        QCOMPARE(nlohmann::json::parse(written.info.trainingJson).at("command").get<std::string>(), std::string("test"));
        QCOMPARE(classifierAccuracy(written.net, data.images, data.labels), last.testAccuracy);

        // Below the accuracy asked for: nothing written.
        options.out = dir.path().toStdString() + "/poor.safetensors";
        options.minAccuracy = 1.01;
        QVERIFY(!api::trainFeatureClassifier(options).written);
        QVERIFY(!std::filesystem::exists(options.out));
    }

    void launchRunsTheRanksAndReturnsAFailure()
    {
        api::LaunchOptions options;
        QCOMPARE(options.masterAddr, std::string("127.0.0.1"));
        options.nproc = 2;
        options.masterPort = 0;
        options.graceSeconds = 1;
        options.command = {"sh", "-c", "test \"$WORLD_SIZE\" = 2 && test \"$RANK\" = \"$LOCAL_RANK\""};
        QCOMPARE(api::launch(options), 0);
        std::string notes;
        options.note = [&](const std::string& text) { notes += text + "\n"; };
        options.command = {"sh", "-c", "exit $((3 + RANK))"};
        const int code = api::launch(options);
        QVERIFY2(code == 3 || code == 4, notes.c_str());
        QVERIFY2(notes.find("job failed: rank ") != std::string::npos, notes.c_str());
    }
};

QTEST_APPLESS_MAIN(TestApiClassifierLaunch)
#include "test_api_classifier_launch.moc"
