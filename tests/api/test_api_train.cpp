// api::train on a tiny network and a folder of images: its settings are the
// training module's declared ones, a run's model file holds what the
// training module's Trainer computes directly with the same settings, a
// resumed run takes only the settings that may change (saying which), and
// the cancel token stops it with a checkpoint.
#include "api/ddsm_api.h"

#include "data/dataset_spec.h"
#include "engine/denoiser.h"
#include "engine/slimmable_unet.h"
#include "training/train_options.h"
#include "training/trainer.h"
#include "error_of.h"
#include "tiny_net.h"
#include "tiny_scored_net.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace ddsm;

namespace {

NetConfig tiny()
{
    NetConfig c = test::tinyNet();
    c.diffusion.T = 100;
    return c;
}

}  // namespace

class TestApiTrain final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void theSettingsAreTheTrainingModulesDeclaredOnes()
    {
        std::vector<std::string> declared;
        const TrainOptions defaults;
        forEachTrainOption(defaults, [&](const auto&, const TrainOptionInfo& info) {
            if (*info.flag)
                declared.push_back(info.flag);
        });
        const std::vector<api::TrainSetting> settings = api::trainSettings();
        QCOMPARE(int(settings.size()), int(declared.size()));
        for (size_t i = 0; i < settings.size(); ++i)
            QCOMPARE(settings[i].flag, declared[i]);
        const auto find = [&](const std::string& flag) {
            return *std::find_if(settings.begin(), settings.end(), [&](const auto& s) { return s.flag == flag; });
        };
        QCOMPARE(find("steps").defaultValue, std::to_string(defaults.steps));
        QVERIFY(find("steps").changesOnResume);
        QCOMPARE(find("lr").defaultValue, std::string("0.0002"));
        QVERIFY(!find("lr").changesOnResume);
    }

    void aRunIsTheTrainersAndResumes()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        test::writeImageFolder(root + "/images", 12);
        saveNetConfig(root + "/tiny.json", tiny());

        api::TrainRequest request;
        request.out = root + "/run";
        request.config = root + "/tiny.json";
        request.data = root + "/images";
        request.settings = {{"steps", "3"}, {"batch", "4"}, {"lr", "0.002"}, {"seed", "1"}};
        request.sampleEvery = 0;
        std::string network;
        std::vector<std::string> notes;
        int steps = 0;
        request.progress = [&](const api::TrainProgress& p) {
            if (p.stage == api::TrainProgress::Stage::Started)
                network = p.network;
            if (p.stage == api::TrainProgress::Stage::Note)
                notes.push_back(p.note);
            steps += p.stage == api::TrainProgress::Stage::Step;
        };
        const api::TrainResult result = api::train(request);
        QCOMPARE(result.completedSteps, int64_t(3));
        QCOMPARE(network, describe(tiny()));
        QCOMPARE(steps, 1);  // at the last step

        // The same run made with the training module's Trainer directly.
        ImageFolderOptions folder;
        folder.image_size = 8;
        folder.channels = 1;
        TrainOptions options;
        options.steps = 3;
        options.batchSize = 4;
        options.learningRate = 0.002;
        options.seed = 1;
        Trainer trainer(tiny(), options, loadDataset(root + "/images", folder).images, c10::Device(c10::kCPU));
        auto g = at::detail::createCPUGenerator(5);
        const auto x = torch::randn({4, 1, 8, 8}, g);
        const auto t = torch::tensor({3, 30, 60, 99}, torch::kLong);
        const auto emaEps = [&] {
            torch::NoGradGuard noGrad;
            trainer.ema().eval();
            return trainer.ema().forward(x, t, 1.0);
        };
        const auto untrained = emaEps();
        for (int i = 0; i < 3; ++i)
            trainer.step();
        api::OpenOptions open;
        open.path = request.out + "/model.safetensors";
        const api::Model model = api::openModel(open);
        const auto want = emaEps();
        const double mismatch = [&] {
            torch::NoGradGuard noGrad;
            return (model.denoiser()->predictEps(x, t, 1.0) - want).abs().max().item<double>();
        }();
        // The three steps moved the outputs far more than the two runs differ:
        // agreeing says the API trained them as the Trainer does.
        const double moved = (want - untrained).abs().max().item<double>();
        QVERIFY2(mismatch < 1e-6 && moved > 100 * std::max(mismatch, 1e-7),
                 qPrintable(QString("mismatch %1, moved %2").arg(mismatch).arg(moved)));

        // Resumed: a setting that may change says so, one that may not is refused.
        api::TrainRequest resume;
        resume.out = request.out;
        resume.resume = true;
        resume.sampleEvery = 0;
        resume.progress = request.progress;
        resume.settings = {{"lr", "1"}};
        QVERIFY(test::errorOf([&] { api::train(resume); }).find("--lr cannot change when a run resumes") == 0);
        notes.clear();
        resume.settings = {{"steps", "5"}, {"distill", "0.5"}};
        QCOMPARE(api::train(resume).completedSteps, int64_t(5));
        QVERIFY(std::find(notes.begin(), notes.end(), "--distill changes from 0 to 0.5 at this step") != notes.end());
        QVERIFY(std::find(notes.begin(), notes.end(), "resumed at step 3 of 5") != notes.end());

        // A malformed setting is named; an existing run is not started over.
        request.settings = {{"batch", "four"}};
        request.out = root + "/other";
        QCOMPARE(test::errorOf([&] { api::train(request); }),
                 std::string("option --batch expects an integer, got \"four\""));
        request.out = resume.out;
        QVERIFY(test::errorOf([&] { api::train(request); }).find("already holds a checkpoint") != std::string::npos);

        // Cancelled before its first step: stopped, with a checkpoint to resume.
        api::CancelToken cancel{true};
        request.out = root + "/cancelled";
        request.settings = {{"steps", "3"}, {"batch", "4"}};
        request.cancel = &cancel;
        QCOMPARE(api::train(request).completedSteps, int64_t(0));
        QVERIFY(std::filesystem::exists(request.out + "/checkpoint.safetensors"));
    }
};

QTEST_APPLESS_MAIN(TestApiTrain)
#include "test_api_train.moc"
