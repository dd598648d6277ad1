// The `ddsm` executable end to end: exit codes, messages, and files it writes.
#include "base/atomic_file.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"
#include "evaluation/distance_predictor.h"
#include "evaluation/predictor_file.h"
#include "evaluation/predictor_fit.h"
#include "evaluation/feature_network.h"
#include "evaluation/predictor_calibration.h"
#include "io/png_text.h"
#include "io/safetensors_header.h"
#include "schedule/schedule_file.h"
#include "schedule/schedule_json.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QtTest>

#include "cli_run.h"

using namespace ddsm;

namespace {

using test::Run;
using test::runCli;
using test::tiny;

}  // namespace

class TestCli final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString path(const char* name) { return dir_.filePath(name); }

private slots:
    void initTestCase()
    {
        saveNetConfig(path("tiny.json").toStdString(), tiny());
        SlimmableUNet net(tiny());
        net.initialize(5);
        saveModel(path("tiny.safetensors").toStdString(), net, R"({"created_by": "test"})");
    }

    void helpAndUnknownCommands()
    {
        QCOMPARE(runCli({"--help"}).exitCode, 0);
        for (const char* command : {"info", "flops", "sample", "schedule", "train"})
            QCOMPARE(runCli({command, "--help"}).exitCode, 0);
        const Run unknown = runCli({"frobnicate"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("unknown command \"frobnicate\""));
        const Run badOption = runCli({"flops", "--config", path("tiny.json"), "--bogus"});
        QCOMPARE(badOption.exitCode, 1);
        QVERIFY2(badOption.err.contains("unknown option --bogus"), qPrintable(badOption.err));
    }

    void flopsPrintsTheAnalyticCount()
    {
        const Run r = runCli({"flops", "--config", path("tiny.json"), "--width", "0.5", "--steps", "10"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QString::number(totalMacs(tiny(), 0.5))), qPrintable(r.out));
        // A uniform half-width schedule saves exactly 1 - MACs(0.5)/MACs(1).
        const double saving = 100.0 * (1.0 - double(totalMacs(tiny(), 0.5)) / double(totalMacs(tiny(), 1.0)));
        QVERIFY2(r.out.contains(QString("saving %1%").arg(saving, 0, 'f', 1)), qPrintable(r.out));
    }

    void sampleWritesAGridWithItsScheduleEmbedded()
    {
        // A schedule: width 0.5 for the noisy half, 1.0 for the rest.
        ScheduleDocument doc;
        doc.name = "half";
        doc.schedule = StepSchedule::fromRanges(40, 1.0, {{20, 39, 0.5}});
        saveSchedule(path("half.json").toStdString(), doc);
        const Run r = runCli({"sample", path("tiny.safetensors"), "--schedule", path("half.json"), "--steps", "4",
                            "--count", "3", "--seed", "7", "--out", path("grid.png"), "--frames", path("frames"),
                            "--threads", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto text = readPngText(path("grid.png").toStdString());
        const auto settings = nlohmann::json::parse(text.at("ddsm-settings"));
        const ScheduleDocument embedded = scheduleFromJson(settings.at("schedule").dump());
        QVERIFY(embedded.schedule == doc.schedule);
        QCOMPARE(embedded.sampler->seed, uint64_t(7));
        QCOMPARE(embedded.sampler->steps, 4);
        QCOMPARE(QDir(path("frames")).entryList({"*.png"}).size(), 8);  // x_t and x0 per step
    }

    void sampleWithSameSeedIsReproducible()
    {
        for (const char* out : {"a.png", "b.png"})
            QCOMPARE(runCli({"sample", path("tiny.safetensors"), "--steps", "3", "--count", "2", "--seed", "3", "--out",
                           path(out), "--threads", "1"})
                         .exitCode,
                     0);
        // Pixels are identical (the embedded settings differ only by the run's wall time).
        const cv::Mat a = cv::imread(path("a.png").toStdString(), cv::IMREAD_UNCHANGED);
        const cv::Mat b = cv::imread(path("b.png").toStdString(), cv::IMREAD_UNCHANGED);
        QVERIFY(!a.empty() && a.size == b.size);
        QCOMPARE(cv::norm(a, b, cv::NORM_INF), 0.0);
        // And another seed gives other images.
        QCOMPARE(runCli({"sample", path("tiny.safetensors"), "--steps", "3", "--count", "2", "--seed", "4", "--out",
                         path("c.png"), "--threads", "1"})
                     .exitCode,
                 0);
        QVERIFY(cv::norm(a, cv::imread(path("c.png").toStdString(), cv::IMREAD_UNCHANGED), cv::NORM_INF) > 0);
    }

    void trainingOptionsFollowTheirDeclarationsOnResume()
    {
        QDir().mkpath(path("train-images"));
        cv::RNG rng(3);
        for (int i = 0; i < 16; ++i) {
            cv::Mat image(8, 8, CV_8UC1);
            rng.fill(image, cv::RNG::UNIFORM, 0, 256);
            cv::imwrite(path("train-images").toStdString() + "/" + std::to_string(i) + ".png", image);
        }
        const QString out = path("train-run");
        Run r = runCli({"train", "--config", path("tiny.json"), "--data", path("train-images"), "--out", out,
                        "--steps", "2", "--batch", "8", "--lr", "1e-3", "--min-snr", "5", "--threads", "1",
                        "--sample-every", "0", "--checkpoint-every", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // What defines the run cannot change on resume, and the refusal says where to look.
        r = runCli({"train", "--out", out, "--resume", "--lr", "2e-3", "--steps", "3"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--lr cannot change when a run resumes") && r.err.contains("marked *"), qPrintable(r.err));
        // What spends the remaining steps can, said as it happens and recorded with the run.
        r = runCli({"train", "--out", out, "--resume", "--distill", "0.5", "--min-snr", "0", "--steps", "3",
                    "--threads", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("--distill changes from 0 to 0.5 at this step"), qPrintable(r.out));
        QVERIFY2(r.out.contains("--min-snr changes from 5 to 0 at this step"), qPrintable(r.out));
        const auto options = nlohmann::json::parse(
            readSafetensorsMetadata((out + "/checkpoint.safetensors").toStdString()).at("options"));
        QCOMPARE(options.at("distill").get<double>(), 0.5);
        QCOMPARE(options.at("min_snr_gamma").get<double>(), 0.0);
        QCOMPARE(options.at("learning_rate").get<double>(), 1e-3);
        QCOMPARE(options.at("steps").get<int>(), 3);
        // A value outside an option's choices is refused naming it.
        r = runCli({"train", "--out", out, "--resume", "--middle-draw", "often", "--steps", "4"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--middle-draw is \"often\", expected distinct or with-replacement"), qPrintable(r.err));
        // The compact checkpoint resumes the run: copied over the checkpoint, one more step.
        r = runCli({"compact-checkpoint", out + "/checkpoint.safetensors", "--out", path("compact.safetensors")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(": step 3, "), qPrintable(r.out));
        QVERIFY(QFile::remove(out + "/checkpoint.safetensors"));
        QVERIFY(QFile::copy(path("compact.safetensors"), out + "/checkpoint.safetensors"));
        r = runCli({"train", "--out", out, "--resume", "--steps", "4", "--threads", "1"});
        QVERIFY2(r.exitCode == 0 && r.out.contains("resumed at step 3 of 4"), qPrintable(r.out + r.err));
        QCOMPARE(readSafetensorsMetadata((out + "/checkpoint.safetensors").toStdString()).at("step"), std::string("4"));
        // The help lists each declared option once, with its default.
        r = runCli({"train", "--help"});
        QCOMPARE(r.out.count("--min-snr G "), 1);
        QVERIFY(r.out.contains("(default 0.0002)"));
    }

    void aResumedLatencySearchNamesADamagedProfile()
    {
        NetConfig c = tiny();
        c.imageSize = 28;  // the pixel features' reference needs Fashion-MNIST's shape
        saveNetConfig(path("tiny28.json").toStdString(), c);
        const QString out = path("latency-search");
        const QStringList args{"search", "--init", "random", "--config", path("tiny28.json"), "--features", "pixels",
                               "--reference-count", "100", "--samples-per-candidate", "8", "--batch", "8",
                               "--race-max-samples", "0", "--steps", "2", "--population", "4", "--final-samples", "8",
                               "--bootstrap", "10", "--threads", "1", "--cost", "latency", "--budget", "0.9",
                               "--generations", "1", "--out", out};
        Run r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(out + "/latency.json"));
        // A resumed search optimises the profile it measured; a damaged one is named, field and all.
        QFile profile(out + "/latency.json");
        QVERIFY(profile.open(QIODevice::WriteOnly));
        profile.write(R"({"widths": [1, 0.5], "ms_per_image_step": [0.5, "fast"]})");
        profile.close();
        r = runCli(QStringList(args) << "--resume" << "--generations" << "2");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("latency.json") && r.err.contains("ms_per_image_step[1]"), qPrintable(r.err));
    }

    void untrainedNetworkNeedsAConfig()
    {
        const Run r = runCli({"sample", "--init", "random", "--out", path("x.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("--init random needs --config"));
        QCOMPARE(runCli({"sample", "--init", "random", "--config", path("tiny.json"), "--steps", "2", "--count", "1",
                       "--out", path("r.png")})
                     .exitCode,
                 0);
    }

    void corruptModelFailsWithAMessage()
    {
        writeFileAtomically(path("corrupt.safetensors").toStdString(), "this is not a model");
        const Run r = runCli({"info", path("corrupt.safetensors")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("corrupt.safetensors"), qPrintable(r.err));
        const Run missing = runCli({"sample", path("missing.safetensors"), "--out", path("m.png")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("missing.safetensors"));
    }

    void infoReportsArchitectureAndHash()
    {
        const Run r = runCli({"info", path("tiny.safetensors"), "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["architecture"]["base_channels"].get<int>(), 16);
        QCOMPARE(QString::fromStdString(j["sha256"].get<std::string>()).size(), 64);
    }

    void infoMeasuresLatencyPerWidth()
    {
        const Run r = runCli({"info", path("tiny.safetensors"), "--latency", "--batch", "4", "--rounds", "2",
                              "--threads", "1"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.split('\n');
        const int header = int(lines.indexOf(QRegularExpression("^width +ms/image-step.*")));
        QVERIFY2(header > 0, qPrintable(r.out));
        // One row per width, full width first at 100%, every time positive.
        const QStringList full = lines[header + 1].split(' ', Qt::SkipEmptyParts);
        QCOMPARE(full.value(0), QStringLiteral("1"));
        QVERIFY(full.value(1).toDouble() > 0);
        QCOMPARE(full.value(2), QStringLiteral("100.0%"));
        const QStringList narrow = lines[header + 2].split(' ', Qt::SkipEmptyParts);
        QVERIFY(narrow.value(1).toDouble() > 0);
    }

    void predictorRefitsItsMeasurementsAndPredicts()
    {
        // A calibration holding measurements from a known additive truth.
        PredictorCalibration layout;
        layout.T = 40;
        layout.steps = 10;
        layout.binEdges = {0, 20, 40};
        layout.widths = {1.0, 0.5};
        PredictorCalibration truth = layout;
        truth.base = 10;
        truth.penalty = {{0, 4.0}, {0, 1.0}};
        const DistancePredictor exact(truth);
        std::vector<MeasuredSchedule> measured;
        for (const auto& s : randomBinSchedules(layout.binEdges, layout.widths, 12, 2))
            measured.push_back({s, exact.predict(s) + 0.01 * double(measured.size() % 3)});
        auto c = fitSelectedPredictor(layout, {measured.begin(), measured.begin() + 8});
        c.fitted.assign(measured.begin(), measured.begin() + 8);
        c.heldOut.assign(measured.begin() + 8, measured.end());
        savePredictor(path("calib.json").toStdString(), c);

        const Run refit = runCli({"predictor", "refit", path("calib.json"), "--out", path("refit.json"), "--ridge",
                                  "0.001", "--target", "distance"});
        QCOMPARE(refit.exitCode, 0);
        QVERIFY2(refit.out.contains("distance target, ridge 0.001"), qPrintable(refit.out));
        const auto back = loadPredictor(path("refit.json").toStdString());
        QCOMPARE(back.ridge, 0.001);
        QCOMPARE(back.fitted.size(), size_t(8));
        const Run predict = runCli({"predictor", "predict", path("refit.json"), "--width", "0.5"});
        QVERIFY2(predict.exitCode == 0, qPrintable(predict.err));
        const double want = DistancePredictor(back).predict(std::vector<double>(40, 0.5));
        QVERIFY2(predict.out.contains(QString::asprintf("predicted FID %.2f", want)), qPrintable(predict.out));
        // The calibration's 10 steps are the default; other steps are refused, not predicted.
        const Run otherSteps = runCli({"predictor", "predict", path("refit.json"), "--width", "0.5", "--steps", "20"});
        QCOMPARE(otherSteps.exitCode, 1);
        QVERIFY2(otherSteps.err.contains("calibrated with ddim10"), qPrintable(otherSteps.err));

        QCOMPARE(runCli({"predictor", "refit", path("calib.json"), "--out", path("x.json"), "--ridge", "-1"}).exitCode,
                 1);
        const Run targetAlone = runCli({"predictor", "refit", path("calib.json"), "--out", path("x.json"), "--target",
                                        "log-distance"});
        QCOMPARE(targetAlone.exitCode, 1);
        QVERIFY2(targetAlone.err.contains("needs a ridge"), qPrintable(targetAlone.err));
        c.fitted.clear();
        c.heldOut.clear();
        savePredictor(path("bare.json").toStdString(), c);
        const Run bare = runCli({"predictor", "refit", path("bare.json"), "--out", path("x.json")});
        QCOMPARE(bare.exitCode, 1);
        QVERIFY2(bare.err.contains("no measured schedules"), qPrintable(bare.err));
    }

    void compareScoresSchedulesOnTheSameNoise()
    {
        // On the shipped model and features: a schedule compared with itself
        // differs by exactly zero (same images), and the cost column is the
        // MAC ratio of models/README's table.
        const QString model = QString::fromStdString(defaultModelsDir()) + "/fmnist-default.safetensors";
        const Run run = runCli({"compare", model, "width:1", "width:1", "width:0.5", "--samples", "8", "--steps", "2",
                                "--bootstrap", "10", "--threads", "1", "--json", path("compare.json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const auto json = nlohmann::json::parse(readWholeFile(path("compare.json").toStdString()));
        const auto& rows = json.at("schedules");
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[1].at("fid").get<double>(), rows[0].at("fid").get<double>());
        QCOMPARE(rows[1].at("fid_minus_first").get<double>(), 0.0);
        QCOMPARE(rows[1].at("fid_minus_first_interval"), nlohmann::json::array({0.0, 0.0}));
        QVERIFY(std::abs(rows[2].at("relative_flops").get<double>() - 30579712.0 / 120633856.0) < 1e-3);
        QVERIFY(rows[2].at("fid_minus_first").get<double>() != 0.0);
        QVERIFY2(run.out.contains("width:0.5"), qPrintable(run.out));

        // SPEC@MODEL samples with another model file from the same noise: the
        // same weights under another path give the same images.
        const QString copy = path("copy-of-default.safetensors");
        QFile::remove(copy);
        QVERIFY(QFile::copy(model, copy));
        const Run across = runCli({"compare", model, "width:1", "width:0.5@" + copy, "width:0.5", "--samples", "8",
                                   "--steps", "2", "--bootstrap", "10", "--threads", "1", "--json", path("across.json")});
        QVERIFY2(across.exitCode == 0, qPrintable(across.err));
        const auto acrossRows = nlohmann::json::parse(readWholeFile(path("across.json").toStdString())).at("schedules");
        QCOMPARE(acrossRows[1].at("fid").get<double>(), acrossRows[2].at("fid").get<double>());
        QCOMPARE(acrossRows[1].at("fid_minus_first").get<double>(), rows[2].at("fid_minus_first").get<double>());
        QCOMPARE(acrossRows[1].at("relative_flops").get<double>(), rows[2].at("relative_flops").get<double>());

        const Run unknown = runCli({"compare", model, "width:1", "width:0.6"});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("width:0.6: width 0.6 is not one of the model's widths"), qPrintable(unknown.err));
        // A schedule file with a width the model lacks is refused at its first t,
        // or snapped on request.
        {
            QFile odd(path("odd-search.txt"));
            QVERIFY(odd.open(QIODevice::WriteOnly));
            QStringList widths;
            for (int t = 0; t < 1000; ++t)
                widths << (t == 5 ? "0.6" : "1.0");
            odd.write(("[" + widths.join(", ") + "]\n").toUtf8());
        }
        const Run odd = runCli({"compare", model, "width:1", path("odd-search.txt"), "--samples", "4", "--steps", "2"});
        QCOMPARE(odd.exitCode, 1);
        QVERIFY2(odd.err.contains("width 0.6 at t = 5"), qPrintable(odd.err));
        const Run snapped = runCli({"compare", model, "width:1", path("odd-search.txt"), "--samples", "4", "--steps", "2",
                                    "--bootstrap", "4", "--threads", "1", "--snap-widths"});
        QVERIFY2(snapped.exitCode == 0, qPrintable(snapped.err));
        const Run single = runCli({"compare", model, "width:1"});
        QCOMPARE(single.exitCode, 1);
        QVERIFY2(single.err.contains("at least two schedules"), qPrintable(single.err));
    }

    void scheduleConvertRoundTrips()
    {
        ScheduleDocument doc;
        doc.schedule = StepSchedule::switchFraction(40, 0.3, 0.5, 1.0);
        saveSchedule(path("s.json").toStdString(), doc);
        QCOMPARE(runCli({"schedule", "convert", path("s.json"), path("search.txt")}).exitCode, 0);
        QCOMPARE(runCli({"schedule", "convert", path("search.txt"), path("back.json")}).exitCode, 0);
        QVERIFY(loadSchedule(path("back.json").toStdString()).schedule == doc.schedule);
        writeFileAtomically(path("bad.txt").toStdString(), "[1.0, 0.5,\n oops]");
        const Run bad = runCli({"schedule", "show", path("bad.txt")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("bad.txt:2:"), qPrintable(bad.err));
    }
};

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
