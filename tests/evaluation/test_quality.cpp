// Sample quality, step importance and the distance predictor against closed
// forms: stand-in networks with known outputs, identical sample sets, and
// synthetic distances generated from known penalties.
#include "fake_networks.h"
#include "error_of.h"

#include "base/error.h"
#include "engine/diffusion.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/predictor_file.h"
#include "evaluation/predictor_fit.h"
#include "evaluation/predictor_calibration.h"
#include "evaluation/sample_quality.h"
#include "evaluation/step_importance.h"
#include "metrics/frechet.h"
#include "schedule/respacing.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <random>

using namespace ddsm;
using namespace ddsm::testing;

namespace {

using ddsm::test::errorOf;


// T = 100, 20 sampler steps, four timestep bins, widths 1 / 0.5 / 0.25.
PredictorCalibration fourBinLayout()
{
    PredictorCalibration layout;
    layout.T = 100;
    layout.steps = 20;
    layout.binEdges = {0, 25, 50, 75, 100};
    layout.widths = {1.0, 0.5, 0.25};
    return layout;
}

SamplerSettings ddim(int steps)
{
    SamplerSettings s;
    s.steps = steps;
    s.seed = 7;
    return s;
}

}  // namespace

class TestQuality final : public QObject {
    Q_OBJECT
private slots:
    void identicalSamplesHaveZeroDistanceWhateverTheBatches()
    {
        OffsetDenoiser denoiser(0.3);
        PixelFeatures pixels;
        const GaussianDiffusion diffusion(denoiser.diffusion());
        const auto recipe = makeRecipe(ddim(5), std::vector<double>(100, 0.5));
        // The same 40 images in one batch, as reference statistics...
        auto reference = computeStats(sampleFeatures(denoiser, diffusion, recipe, pixels, 0, 40));
        reference.source = "same-images";
        // ...and in batches of 16, 16 and 8: the same seeded noise per image.
        SampleQualityRun run(denoiser, pixels, reference, at::Tensor(), recipe);
        run.addBatch(16);
        run.addBatch(16);
        run.addBatch(8);
        QCOMPARE(run.count(), int64_t(40));
        const auto fid = run.fid(20);
        QVERIFY2(std::abs(fid.value) < 1e-8, qPrintable(QString::number(fid.value)));
        QCOMPARE(fid.featureName, std::string("pixels"));
        QCOMPARE(fid.reference, std::string("same-images"));
        QVERIFY(!run.kid());
        // A different schedule from the same noise gives different images.
        const auto other = makeRecipe(ddim(5), std::vector<double>(100, 1.0));
        const auto a = sampleFeatures(denoiser, diffusion, other, pixels, 0, 4);
        const auto b = sampleFeatures(denoiser, diffusion, recipe, pixels, 0, 4);
        QVERIFY(!at::allclose(a, b));
    }

    void mismatchedReferencesAreErrors()
    {
        OffsetDenoiser denoiser(0.0);
        PixelFeatures pixels;
        GaussianStats wrongDim = computeStats(at::randn({10, 8}, at::kDouble));
        wrongDim.source = "eight-d";
        const auto message = errorOf([&] { requireMatchingReference(wrongDim, pixels); });
        QVERIFY2(message.find("8-dimensional") != std::string::npos && message.find("16") != std::string::npos,
                 message.c_str());
        GaussianStats otherNet = computeStats(at::randn({20, 16}, at::kDouble));
        otherNet.featureName = "inception";
        QVERIFY(errorOf([&] { requireMatchingReference(otherNet, pixels); }).find("inception") != std::string::npos);
    }

    void importanceIsZeroWhenNarrowEqualsFull()
    {
        OffsetDenoiser same(0.0);
        const auto images = at::rand({32, 1, 4, 4}) * 2 - 1;
        EpsDepartureSettings settings;
        settings.bins = 4;
        settings.imagesPerBin = 20;
        settings.batch = 8;
        auto importance = measureEpsDeparture(same, images, settings);
        QCOMPARE(importance.binEdges, (std::vector<int>{0, 25, 50, 75, 100}));
        for (const auto& row : importance.epsDeparture)
            for (double d : row)
                QCOMPARE(d, 0.0);
        PixelFeatures pixels;
        auto reference = computeStats(at::randn({50, 16}, at::kDouble));
        measureDistanceChanges(importance, same, pixels, reference, ddim(6), 12, 5);
        for (const auto& row : importance.distanceChange)
            for (double d : row)
                QCOMPARE(d, 0.0);
        QVERIFY(importance.fullWidthDistance > 0);
    }

    void importanceCsvRoundTrips()
    {
        StepImportance importance;
        importance.binEdges = {0, 30, 100};
        importance.widths = {1.0, 0.5, 0.25};
        importance.epsDeparture = {{0, 0.125, 0.5}, {0, 0.01, 0.0625}};
        importance.epsError = {{0.2, 0.25, 0.75}, {0.03, 0.04, 0.05}};
        const auto read = importanceFromCsv(importanceCsv(importance), "profile.csv");
        QCOMPARE(read.binEdges, importance.binEdges);
        QCOMPARE(read.widths, importance.widths);
        QCOMPARE(read.epsDeparture, importance.epsDeparture);
        QCOMPARE(read.epsError, importance.epsError);
        QVERIFY(read.distanceChange.empty());
        importance.distanceChange = {{0, 1.5, 3}, {0, -0.25, 0.5}};
        QCOMPARE(importanceFromCsv(importanceCsv(importance), "p").distanceChange, importance.distanceChange);
        // The sampler behind the distance changes travels with them.
        importance.distanceSettings = "ddpm 100 steps, fixedlarge variance, seed 0, x0 clipped, features f, reference r";
        importance.distanceSamples = 250;
        const auto text = importanceCsv(importance);
        QVERIFY(text.rfind("# distance_change: ddpm 100 steps", 0) == 0);
        const auto withSampler = importanceFromCsv(text, "p");
        QCOMPARE(withSampler.distanceSettings, importance.distanceSettings);
        QCOMPARE(withSampler.distanceSamples, int64_t(250));
        QCOMPARE(withSampler.distanceChange, importance.distanceChange);
        QCOMPARE(importancePerTimestep(importance, 0.5, ImportanceMeasure::DistanceChange)[99], -0.25);
        QVERIFY(errorOf([&] { importancePerTimestep(read, 0.5, ImportanceMeasure::DistanceChange); })
                    .find("no distance changes") != std::string::npos);

        const auto overlay = importancePerTimestep(read, 0.25);
        QCOMPARE(overlay.size(), size_t(100));
        QCOMPARE(overlay[0], 0.5);
        QCOMPARE(overlay[29], 0.5);
        QCOMPARE(overlay[30], 0.0625);
        QCOMPARE(overlay[99], 0.0625);
        QVERIFY(errorOf([&] { importancePerTimestep(read, 0.75); }).find("0.75") != std::string::npos);
    }

    void malformedImportanceCsvIsNamed()
    {
        const std::string header = "t_begin,t_end,width,eps_departure,eps_error,distance_change\n";
        QVERIFY(errorOf([&] { importanceFromCsv("step,loss\n1,2\n", "a.csv"); }).find("a.csv: not a step-importance")
                != std::string::npos);
        const auto badNumber = errorOf([&] { importanceFromCsv(header + "0,10,1,0,0.1,\n0,10,0.5,x,0.2,\n", "b.csv"); });
        QVERIFY2(badNumber.find("b.csv, line 3") != std::string::npos, badNumber.c_str());
        const auto gap = errorOf([&] { importanceFromCsv(header + "0,10,1,0,0,\n20,30,1,0,0,\n", "c.csv"); });
        QVERIFY2(gap.find("do not tile") != std::string::npos, gap.c_str());
        const auto missing = errorOf([&] { importanceFromCsv(header + "0,10,1,0,0,\n0,10,0.5,1,1,\n10,20,1,0,0,\n", "d.csv"); });
        QVERIFY2(missing.find("one row per bin and width") != std::string::npos, missing.c_str());
    }

    void importanceMeasuresAKnownDeparture()
    {
        OffsetDenoiser offset(0.8);
        const auto images = at::rand({32, 1, 4, 4}) * 2 - 1;
        EpsDepartureSettings settings;
        settings.bins = 2;
        settings.imagesPerBin = 10;
        auto importance = measureEpsDeparture(offset, images, settings);
        for (const auto& row : importance.epsDeparture) {
            QCOMPARE(row[0], 0.0);
            QVERIFY(std::abs(row[1] - 0.4 * 0.4) < 1e-6);   // ((1 - 0.5) * 0.8)^2
            QVERIFY(std::abs(row[2] - 0.6 * 0.6) < 1e-6);   // ((1 - 0.25) * 0.8)^2
        }
        // With 3 sampler steps (t = 99, 50, 0) over 4 bins, bin [25, 50) is
        // never visited: narrowing it changes nothing.
        EpsDepartureSettings four = settings;
        four.bins = 4;
        auto visited = measureEpsDeparture(offset, images, four);
        PixelFeatures pixels;
        const auto reference = computeStats(at::randn({50, 16}, at::kDouble));
        measureDistanceChanges(visited, offset, pixels, reference, ddim(3), 10, 4);
        QCOMPARE(respacedTimesteps(100, 3), (std::vector<int>{99, 50, 0}));
        QCOMPARE(visited.distanceChange[1][1], 0.0);
        QVERIFY(visited.distanceChange[0][2] != 0.0);

        const auto csv = importanceCsv(visited);
        // A first line names the sampler behind the distance changes.
        QVERIFY(csv.rfind("# distance_change: ddim 3 steps", 0) == 0);
        QVERIFY(csv.find("\nt_begin,t_end,width,eps_departure,eps_error,distance_change\n") != std::string::npos);
        QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 2 + 4 * 3);
        QTemporaryDir dir;
        const std::string png = dir.filePath("importance.png").toStdString();
        writeImportancePlot(png, visited, "test");
        QVERIFY(std::filesystem::file_size(png) > 1000);
    }

    void predictorRecoversKnownPenalties()
    {
        const PredictorCalibration layout = fourBinLayout();
        // Truth: distance = 3 + sum of penalty x share.
        PredictorCalibration truth = layout;
        truth.base = 3;
        truth.penalty = {{0, 0.5, 2.0}, {0, 0.1, 0.3}, {0, 1.5, 4.0}, {0, 0.0, 0.7}};
        const DistancePredictor truePredictor(truth);
        std::vector<MeasuredSchedule> measured;
        for (const auto& s : randomBinSchedules(layout.binEdges, layout.widths, 30, 5))
            measured.push_back({s, truePredictor.predict(s)});
        QCOMPARE(measured.front().distance, 3.0);  // the first schedule is full width
        const auto fitted = fitDistancePredictor(layout, measured, 0.0);
        QVERIFY(std::abs(fitted.base - 3) < 1e-9);
        for (int b = 0; b < 4; ++b)
            for (int w = 0; w < 3; ++w)
                QVERIFY2(std::abs(fitted.penalty[b][w] - truth.penalty[b][w]) < 1e-9,
                         qPrintable(QString("bin %1 width %2: %3").arg(b).arg(w).arg(fitted.penalty[b][w])));
        QVERIFY(fitted.fitRmse < 1e-9);

        // A schedule mixing widths inside a bin: shares are step fractions.
        std::vector<double> mixed(100, 1.0);
        for (int t = 50; t < 63; ++t)
            mixed[t] = 0.25;
        const auto steps = respacedTimesteps(100, 20);
        int inBin = 0, narrowed = 0;
        for (int t : steps)
            if (t >= 50 && t < 75) {
                ++inBin;
                narrowed += t < 63;
            }
        QVERIFY(std::abs(DistancePredictor(fitted).predict(mixed) - (3 + 4.0 * narrowed / inBin)) < 1e-9);
    }

    void predictorChoosesTheTargetThatFitsByLeaveOneOut()
    {
        const PredictorCalibration layout = fourBinLayout();
        const std::vector<std::vector<double>> penalty{{0, 0.1, 0.4}, {0, 0.05, 0.2}, {0, 0.3, 0.9}, {0, 0.0, 0.1}};
        const auto schedules = randomBinSchedules(layout.binEdges, layout.widths, 40, 11);
        const auto unseen = randomBinSchedules(layout.binEdges, layout.widths, 20, 12);
        for (const std::string target : {kDistanceTarget, kLogDistanceTarget}) {
            // Truth: base + penalties add up to the distance, or to its logarithm
            // (narrowing several bins compounds).
            PredictorCalibration truth = layout;
            truth.target = target;
            truth.base = target == kLogDistanceTarget ? std::log(50.0) : 50.0;
            truth.penalty = penalty;
            if (target == kDistanceTarget)
                for (auto& row : truth.penalty)
                    for (double& p : row)
                        p *= 100;
            const DistancePredictor truePredictor(truth);
            std::vector<MeasuredSchedule> measured;
            for (const auto& s : schedules)
                measured.push_back({s, truePredictor.predict(s)});
            const auto scores = crossValidatePredictorModels(layout, measured, kDefaultRidges);
            QCOMPARE(scores.size(), 2 * kDefaultRidges.size());
            QCOMPARE(scores.front().target, target);
            QCOMPARE(scores.front().ridge, kDefaultRidges.front());  // exact data wants the least shrinkage
            const auto fitted = fitSelectedPredictor(layout, measured);
            QCOMPARE(fitted.target, target);
            QCOMPARE(fitted.crossValidatedKendallTau, scores.front().kendallTau);
            // Below 1 only by ties: repeated schedules have equal distances, their
            // leave-one-out predictions not quite.
            QVERIFY2(fitted.crossValidatedKendallTau > 0.95, qPrintable(QString::number(fitted.crossValidatedKendallTau)));
            for (const auto& s : unseen) {
                const double want = truePredictor.predict(s), got = DistancePredictor(fitted).predict(s);
                QVERIFY2(std::abs(got - want) < 1e-2 * want, qPrintable(QString("%1 vs %2").arg(got).arg(want)));
            }
        }
        QVERIFY(errorOf([&] { fitSelectedPredictor(layout, {{schedules[0], 1.0}, {schedules[1], 2.0}}); })
                    .find("at least 4") != std::string::npos);
        QVERIFY(errorOf([&] { fitDistancePredictor(layout, {{schedules[0], 1.0}, {schedules[1], 0.0}}, 0.1,
                                                   kLogDistanceTarget); })
                    .find("positive") != std::string::npos);
    }

    void predictorKeepsItsMeasurementsAndRefitsWithoutSampling()
    {
        PredictorCalibration layout;
        layout.T = 60;
        layout.steps = 12;
        layout.binEdges = {0, 20, 40, 60};
        layout.widths = {1.0, 0.5};
        std::mt19937_64 noise(3);
        std::vector<MeasuredSchedule> fitted, heldOut;
        for (const auto& s : randomBinSchedules(layout.binEdges, layout.widths, 24, 4)) {
            double d = 10;
            for (int t = 0; t < 60; ++t)
                d += (s[size_t(t)] < 1 ? 0.2 : 0.0) + double(noise() % 1000) * 1e-5;
            (fitted.size() < 16 ? fitted : heldOut).push_back({s, d});
        }
        auto c = fitSelectedPredictor(layout, fitted);
        c.fitted = fitted;
        c.heldOut = heldOut;
        const auto back = predictorFromJson(predictorToJson(c), "memory");
        QCOMPARE(back.fitted.size(), fitted.size());
        QCOMPARE(back.heldOut.size(), heldOut.size());
        for (size_t i = 0; i < fitted.size(); ++i) {
            QCOMPARE(back.fitted[i].widthsByTimestep, fitted[i].widthsByTimestep);
            QCOMPARE(back.fitted[i].distance, fitted[i].distance);
        }
        QCOMPARE(back.target, c.target);
        QCOMPARE(back.ridge, c.ridge);
        // A refit of the stored measurements is the same fit, and scores the held-out ones.
        const auto refit = refitPredictor(back);
        QCOMPARE(refit.calibration.penalty, c.penalty);
        QCOMPARE(refit.calibration.base, c.base);
        QCOMPARE(refit.heldOutPredicted.size(), heldOut.size());
        QVERIFY(refit.calibration.heldOutKendallTau > 0.5);
        // A fixed model instead of the leave-one-out choice, scored the same way.
        const auto fixed = refitPredictor(back, 0, 0.1, kDistanceTarget);
        QCOMPARE(fixed.calibration.target, std::string(kDistanceTarget));
        QCOMPARE(fixed.calibration.ridge, 0.1);
        for (const auto& score : crossValidatePredictorModels(back, back.fitted, {0.1}))
            if (score.target == kDistanceTarget)
                QCOMPARE(fixed.calibration.crossValidatedKendallTau, score.kendallTau);
        // Re-binned: four bins over the same measurements.
        QCOMPARE(refitPredictor(back, 4).calibration.bins(), 4);
        PredictorCalibration empty = layout;
        empty.penalty.assign(3, {0.0, 0.0});
        QVERIFY(errorOf([&] { refitPredictor(empty); }).find("no measured schedules") != std::string::npos);
        // Segments that leave a gap are named.
        auto text = predictorToJson(c);
        const auto at = text.find("[\n          0,");
        QVERIFY(at != std::string::npos);
        text.replace(at, 15, "[\n          1,");
        QVERIFY(errorOf([&] { predictorFromJson(text, "gap.json"); }).find("segments") != std::string::npos);
    }

    void predictorCalibrationRoundTripsAndRejectsBadFiles()
    {
        PredictorCalibration c;
        c.T = 10;
        c.steps = 5;
        c.binEdges = {0, 5, 10};
        c.widths = {1.0, 0.5};
        c.base = 12.5;
        c.penalty = {{0, 1.25}, {0, 3.5}};
        c.featureName = "pixels";
        c.heldOutKendallTau = 0.85;
        const auto back = predictorFromJson(predictorToJson(c), "memory");
        QCOMPARE(back.penalty, c.penalty);
        QCOMPARE(back.base, c.base);
        QCOMPARE(back.heldOutKendallTau, 0.85);
        QCOMPARE(DistancePredictor(back).predict(std::vector<double>(10, 0.5)), 12.5 + 1.25 + 3.5);
        QVERIFY(errorOf([] { predictorFromJson("{\"format\": \"other\"}", "x.json"); }).find("x.json") == 0);
        QVERIFY(!errorOf([] { predictorFromJson("{not json", "x.json"); }).empty());
        {
            // Whole numbers are range-checked before conversion; fields are named.
            auto j = nlohmann::json::parse(predictorToJson(c));
            j["bin_edges"][1] = 1e42;
            QCOMPARE(errorOf([&] { predictorFromJson(j.dump(), "x.json"); }),
                     std::string(R"(x.json: field "bin_edges[1]" is 1e+42, expected an integer in -2147483648..2147483647)"));
            j = nlohmann::json::parse(predictorToJson(c));
            j["base"] = "12.5";
            QCOMPARE(errorOf([&] { predictorFromJson(j.dump(), "x.json"); }),
                     std::string(R"(x.json: field "base" is the string "12.5", expected a number)"));
            // The sampler a prediction holds for must be one, with the file's steps.
            j = nlohmann::json::parse(predictorToJson(c));
            j["sampler_tag"] = "ddpm5-fixedsmall";
            QCOMPARE(predictorFromJson(j.dump(), "x.json").samplerTag, std::string("ddpm5-fixedsmall"));
            j["sampler_tag"] = "ddpm100";
            QCOMPARE(errorOf([&] { predictorFromJson(j.dump(), "x.json"); }),
                     std::string(R"(x.json: field "sampler_tag" is "ddpm100" (100 steps) where steps is 5)"));
            j["sampler_tag"] = "fast";
            QVERIFY(errorOf([&] { predictorFromJson(j.dump(), "x.json"); }).find("not a sampler's tag") !=
                    std::string::npos);
        }
        auto broken = c;
        broken.binEdges = {0, 5, 9};
        QVERIFY(errorOf([&] { DistancePredictor{broken}; }).find("bin edges") != std::string::npos);
        QVERIFY(errorOf([&] { DistancePredictor(c).predict(std::vector<double>(7, 1.0)); }).find("T = 10") !=
                std::string::npos);
    }

    void randomSchedulesAreSeededAndUseListedWidths()
    {
        const std::vector<int> edges{0, 10, 20};
        const std::vector<double> widths{1.0, 0.5, 0.25};
        const auto a = randomBinSchedules(edges, widths, 10, 3);
        QCOMPARE(a, randomBinSchedules(edges, widths, 10, 3));
        QCOMPARE(a.front(), std::vector<double>(20, 1.0));
        for (const auto& s : a)
            for (double w : s)
                QVERIFY(w == 1.0 || w == 0.5 || w == 0.25);
        QVERIFY(a != randomBinSchedules(edges, widths, 10, 4));
    }
};

QTEST_APPLESS_MAIN(TestQuality)
#include "test_quality.moc"
