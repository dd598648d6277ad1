// The API's distance predictor on a tiny network: fitPredictor writes the
// calibration the evaluation module computes directly with the same settings,
// openPredictor and predict give that calibration's predictions, and
// refitPredictor is the module's refit of the file's measurements.
#include "api/ddsm_api.h"

#include "base/atomic_file.h"
#include "base/sampler_tag.h"
#include "evaluation/calibration_progress.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/predictor_calibration.h"
#include "evaluation/predictor_file.h"
#include "metrics/stats_file.h"
#include "error_of.h"
#include "tiny_scored_net.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>

using namespace ddsm;

namespace {

// The settings tinyFit gives the API, for the module directly.
CalibrationSettings tinyCalibration()
{
    CalibrationSettings settings;
    settings.bins = 2;
    settings.fitSchedules = 5;
    settings.heldOutSchedules = 3;
    settings.samples = 8;
    settings.batch = 8;
    settings.sampler.steps = 4;
    settings.sampler.seed = 3;
    return settings;
}

// The same settings through the API, writing `out`.
api::PredictorFitOptions tinyFit(const std::string& out)
{
    api::PredictorFitOptions options;
    options.bins = 2;
    options.fitSchedules = 5;
    options.heldOutSchedules = 3;
    options.samples = 8;
    options.batch = 8;
    options.sampler.steps = 4;
    options.sampler.seed = 3;
    options.out = out;
    return options;
}

}  // namespace

class TestApiPredictor final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void fitOpenPredictAndRefit()
    {
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/calib.json";
        const api::Model model = test::tinyScoredModel();
        api::PredictorFitOptions options = tinyFit(out);
        int lastDone = 0, lastTotal = 0;
        options.progress = [&](const api::PredictorProgress& p) {
            lastDone = p.done;
            lastTotal = p.total;
        };
        const api::PredictorFitResult fitted = api::fitPredictor(model, options);
        QCOMPARE(lastDone, 8);
        QCOMPARE(lastTotal, 8);

        // The same calibration made with the evaluation module directly.
        const CalibrationSettings settings = tinyCalibration();
        auto extractor = openFeatureExtractor("default", {});
        const CalibrationResult truth = calibratePredictor(
            *model.denoiser(), *extractor, loadStatsNpz(defaultReferenceStatsPath()), settings, "tiny");
        const PredictorCalibration written = loadPredictor(out);
        QCOMPARE(written.base, truth.calibration.base);
        QCOMPARE(written.penalty, truth.calibration.penalty);
        QCOMPARE(written.target, truth.calibration.target);
        QCOMPARE(written.ridge, truth.calibration.ridge);
        QCOMPARE(written.model, std::string("tiny"));
        QCOMPARE(fitted.calibration.heldOutKendallTau, truth.calibration.heldOutKendallTau);
        QCOMPARE(fitted.calibration.measuredSchedules, 8);
        QCOMPARE(fitted.calibration.T, 100);
        QCOMPARE(fitted.calibration.steps, 4);

        // Predictions: the calibration's own, through a file opened by the API.
        const DistancePredictor exact(written);
        // The calibration tells widths apart, so equal predictions below say the right width ran.
        QVERIFY(exact.predict(std::vector<double>(100, 0.5)) != exact.predict(std::vector<double>(100, 1.0)));
        const api::Predictor predictor = api::openPredictor(out);
        QVERIFY(predictor.isOpen());
        QCOMPARE(predictor.info().samplerTag, written.samplerTag);
        std::vector<double> mixed(100, 1.0);
        std::fill(mixed.begin() + 50, mixed.end(), 0.5);
        QCOMPARE(predictor.predict(mixed), exact.predict(mixed));
        api::PredictOptions predict;
        predict.schedule.width = 0.5;
        predict.sampler.steps = predictor.info().steps;
        QCOMPARE(api::predict(predictor, predict).value, exact.predict(std::vector<double>(100, 0.5)));
        // Another sampler: refused, naming both (the calibration holds for its own sampler alone).
        const api::Sampler& own = predictor.info().calibratedSampler;
        QCOMPARE(written.samplerTag, std::string("ddim4"));
        QCOMPARE(samplerTag(own.kind, own.steps, own.eta, own.variance, own.clipX0), written.samplerTag);
        for (const auto& change : std::vector<std::function<void(api::Sampler&)>>{
                 [](api::Sampler& s) { s.steps += 1; },
                 [](api::Sampler& s) { s.kind = s.kind == "ddim" ? "ddpm" : "ddim"; },
                 [](api::Sampler& s) { s.clipX0 = !s.clipX0; }}) {
            api::PredictOptions other = predict;
            other.sampler = predictor.info().calibratedSampler;
            QCOMPARE(api::predict(predictor, other).value, exact.predict(std::vector<double>(100, 0.5)));
            change(other.sampler);
            const std::string error = test::errorOf([&] { api::predict(predictor, other); });
            QVERIFY2(error.find("calibrated with " + written.samplerTag) != std::string::npos, error.c_str());
        }
        // A width the calibration lacks: refused, or snapped with a note.
        predict.schedule.width = 0.3;
        QVERIFY(test::errorOf([&] { api::predict(predictor, predict); }).find("0.3") != std::string::npos);
        std::string note;
        predict.schedule.snapWidths = true;
        predict.note = [&](const std::string& text) { note = text; };
        QCOMPARE(api::predict(predictor, predict).value, exact.predict(std::vector<double>(100, 0.5)));
        QVERIFY(!note.empty());
        QVERIFY(test::errorOf([&] { api::openPredictor(out + ".missing"); }).find("calib.json.missing") !=
                std::string::npos);

        // Refit: the module's refit of the written measurements, written in turn.
        api::PredictorRefitOptions refit;
        refit.calibration = out;
        refit.ridge = 0.001;
        refit.out = dir.path().toStdString() + "/refit.json";
        const api::PredictorFitResult refitted = api::refitPredictor(refit);
        const CalibrationResult refitTruth = refitPredictor(written, 0, 0.001, kDistanceTarget);
        const PredictorCalibration refitWritten = loadPredictor(refit.out);
        QCOMPARE(refitWritten.penalty, refitTruth.calibration.penalty);
        QCOMPARE(refitWritten.ridge, 0.001);
        QCOMPARE(refitted.calibration.ridge, 0.001);
        QCOMPARE(refitted.calibration.fitRmse, refitTruth.calibration.fitRmse);
        refit.ridge = -1;
        QVERIFY(test::errorOf([&] { api::refitPredictor(refit); }).find("ridge") != std::string::npos);
        // A target alone is refused, not dropped for the leave-one-out choice.
        refit.ridge.reset();
        refit.target = "log-distance";
        const std::string alone = test::errorOf([&] { api::refitPredictor(refit); });
        QVERIFY2(alone.find("needs a ridge") != std::string::npos, alone.c_str());
        // With a ridge it is the fit's target.
        refit.ridge = 0.001;
        QCOMPARE(api::refitPredictor(refit).calibration.target, std::string("log-distance"));
    }

    // A fit stopped after three schedules goes on from the distances it kept:
    // it measures only the rest and ends with the uninterrupted fit's numbers.
    void anInterruptedFitGoesOnFromItsKeptDistances()
    {
        QTemporaryDir dir;
        const api::Model model = test::tinyScoredModel();
        auto extractor = openFeatureExtractor("default", {});
        const GaussianStats reference = loadStatsNpz(defaultReferenceStatsPath());
        CalibrationSettings settings = tinyCalibration();
        const CalibrationResult straight = calibratePredictor(*model.denoiser(), *extractor, reference, settings, "tiny");
        QCOMPARE(straight.keptSchedules, 0);

        settings.progressFile = dir.filePath("calib.json.partial").toStdString();
        settings.modelIdentity = "tiny-weights";
        struct Stop {};
        try {
            calibratePredictor(*model.denoiser(), *extractor, reference, settings, "tiny", [](int done, int) {
                if (done == 3)
                    throw Stop{};
            });
            QFAIL("the fit was not interrupted");
        } catch (const Stop&) {
        }
        QCOMPARE(loadCalibrationProgress(settings.progressFile, "{}").size(), size_t(0));  // other settings: none
        std::vector<int> reported;
        const CalibrationResult resumed = calibratePredictor(*model.denoiser(), *extractor, reference, settings, "tiny",
                                                             [&](int done, int) { reported.push_back(done); });
        QCOMPARE(resumed.keptSchedules, 3);
        QCOMPARE(reported, (std::vector<int>{4, 5, 6, 7, 8}));
        QCOMPARE(resumed.calibration.penalty, straight.calibration.penalty);
        QCOMPARE(resumed.calibration.heldOutKendallTau, straight.calibration.heldOutKendallTau);
        for (size_t k = 0; k < straight.calibration.fitted.size(); ++k)
            QCOMPARE(resumed.calibration.fitted[k].distance, straight.calibration.fitted[k].distance);

        // Other settings (more images per schedule) measure everything again.
        settings.samples = 10;
        reported.clear();
        const CalibrationResult other = calibratePredictor(*model.denoiser(), *extractor, reference, settings, "tiny",
                                                           [&](int done, int) { reported.push_back(done); });
        QCOMPARE(other.keptSchedules, 0);
        QCOMPARE(reported.size(), size_t(8));
        // And a damaged file is a cache miss, not an error.
        writeFileAtomically(settings.progressFile, "{\"format\": \"ddsm-predictor-progress\", \"key\": ");
        QCOMPARE(calibratePredictor(*model.denoiser(), *extractor, reference, settings, "tiny").keptSchedules, 0);
    }

    // A cancelled fit writes no calibration and keeps its distances in
    // OUT.partial; the same fit run again measures only the rest and ends
    // with the uninterrupted fit's numbers.
    void aCancelledFitKeepsItsDistancesForTheNextRun()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("calib.json").toStdString();
        const api::Model model = test::tinyScoredModelFile(dir.filePath("tiny.safetensors").toStdString());
        api::PredictorFitOptions options = tinyFit(out);
        api::CancelToken cancel{false};
        options.cancel = &cancel;
        options.progress = [&](const api::PredictorProgress& p) { cancel = p.done == 3; };
        const api::PredictorFitResult stopped = api::fitPredictor(model, options);
        QVERIFY(stopped.cancelled);
        QCOMPARE(stopped.schedulesMeasured, 3);
        QCOMPARE(stopped.calibration.measuredSchedules, 0);
        QVERIFY(!std::filesystem::exists(out));
        QCOMPARE(stopped.progressFile, out + ".partial");
        QVERIFY(std::filesystem::exists(stopped.progressFile));

        std::vector<int> reported;
        cancel = false;
        options.progress = [&](const api::PredictorProgress& p) { reported.push_back(p.done); };
        const api::PredictorFitResult resumed = api::fitPredictor(model, options);
        QVERIFY(!resumed.cancelled);
        QCOMPARE(resumed.keptSchedules, 3);
        QCOMPARE(resumed.schedulesMeasured, 8);
        QCOMPARE(reported, (std::vector<int>{4, 5, 6, 7, 8}));
        QVERIFY(!std::filesystem::exists(out + ".partial"));

        CalibrationSettings settings = tinyCalibration();
        auto extractor = openFeatureExtractor("default", {});
        const CalibrationResult straight = calibratePredictor(
            *model.denoiser(), *extractor, loadStatsNpz(defaultReferenceStatsPath()), settings, "tiny");
        QCOMPARE(loadPredictor(out).penalty, straight.calibration.penalty);
        QCOMPARE(resumed.calibration.heldOutKendallTau, straight.calibration.heldOutKendallTau);

        // A token set before the first network call measures nothing.
        cancel = true;
        options.out = dir.filePath("other.json").toStdString();
        const api::PredictorFitResult none = api::fitPredictor(model, options);
        QVERIFY(none.cancelled);
        QCOMPARE(none.schedulesMeasured, 0);
        QVERIFY(!std::filesystem::exists(options.out));
    }
};

QTEST_APPLESS_MAIN(TestApiPredictor)
#include "test_api_predictor.moc"
