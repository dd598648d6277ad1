// `ddsm` on inputs that must be refused, run as a user would: schedules with
// widths the model lacks (or snapped on request), schedules whose two forms
// disagree, folders where files belong, and a checkpoint whose pickle runs a
// command. Every refusal exits 1 and names the file and the value at fault.
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"
#include "io/png_text.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_run.h"
#include "hostile_checkpoint.h"

using namespace ddsm;

namespace {

using test::Run;
using test::runCli;
using test::tiny;

// search.txt for T = 40: `width` at t in [lo, hi], 1.0 elsewhere.
QString searchTxt(const QString& width, int lo, int hi)
{
    QStringList widths;
    for (int t = 0; t < 40; ++t)
        widths << (t >= lo && t <= hi ? width : QString("1.0"));
    return "[" + widths.join(", ") + "]\n";
}

void write(const QString& path, const QString& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text.toUtf8());
}

// "  40 steps: 0.1234 GFLOPs per image" from `ddsm flops` output.
QString gflopsLine(const QString& out)
{
    const auto match = QRegularExpression(R"(\d+ steps: ([0-9.]+) GFLOPs per image)").match(out);
    return match.hasMatch() ? match.captured(1) : QString();
}

}  // namespace

class TestCliInputs final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString path(const QString& name) { return dir_.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        SlimmableUNet net(tiny());
        net.initialize(5);
        saveModel(path("tiny.safetensors").toStdString(), net, R"({"created_by": "test"})");
        write(path("bad.txt"), searchTxt("0.6", 5, 19));
        write(path("snapped.txt"), searchTxt("0.5", 5, 19));
        // The same 0.6 as JSON, and a JSON whose segments contradict its widths.
        QStringList widths;
        for (int t = 0; t < 40; ++t)
            widths << (t >= 30 ? "0.6" : "1.0");
        write(path("bad.json"), R"({"format": "ddsm-schedule", "version": 1, "axis": "training_timestep", "T": 40,
            "widths": [)" + widths.join(",") + "]}");
        QStringList half;
        for (int t = 0; t < 40; ++t)
            half << (t < 20 ? "0.5" : "1.0");
        write(path("contradict.json"), R"({"format": "ddsm-schedule", "version": 1, "axis": "training_timestep", "T": 40,
            "widths": [)" + half.join(",") + R"(], "segments": [{"t_begin": 39, "t_end": 18, "width": 1.0},
            {"t_begin": 17, "t_end": 0, "width": 0.5}]})");
    }

    void foreignWidthsAreRefusedByEveryCommand_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("fragments");
        const QString model = path("tiny.safetensors");
        const QStringList txt{path("bad.txt") + ": width 0.6 at t = 5 (and 14 more timesteps)",
                              "is not one of the model's widths (1.0, 0.5)", "--snap-widths"};
        const QStringList json{path("bad.json") + ": width 0.6 at t = 30 (and 9 more timesteps)", "(1.0, 0.5)"};
        QTest::newRow("flops search.txt") << QStringList{"flops", model, "--schedule", path("bad.txt"), "--steps", "10"}
                                          << txt;
        QTest::newRow("flops json") << QStringList{"flops", model, "--schedule", path("bad.json"), "--steps", "10"}
                                    << json;
        QTest::newRow("sample") << QStringList{"sample", model, "--schedule", path("bad.txt"), "--steps", "4",
                                               "--count", "1", "--out", path("never.png")}
                                << txt;
        QTest::newRow("sample --width")
            << QStringList{"sample", model, "--width", "0.6", "--steps", "4", "--count", "1", "--out", path("never.png")}
            << QStringList{"--width 0.6: width 0.6 at t = 0", "(1.0, 0.5)"};
        QTest::newRow("fid") << QStringList{"fid", model, "--schedule", path("bad.json"), "--steps", "10", "--samples", "2"}
                             << json;
        // compare checks the widths of the steps it samples (its own check).
        QTest::newRow("compare") << QStringList{"compare", model, "width:1", path("bad.json"), "--steps", "40"}
                                 << QStringList{path("bad.json"), "width 0.6", "(1.0, 0.5)"};
    }

    void foreignWidthsAreRefusedByEveryCommand()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, fragments);
        const Run run = runCli(args);
        QCOMPARE(run.exitCode, 1);
        for (const QString& fragment : fragments)
            QVERIFY2(run.err.contains(fragment), qPrintable(fragment + " not in: " + run.err));
        QVERIFY(!QFile::exists(path("never.png")));
    }

    void snapWidthsRoundsAndSaysSo()
    {
        const QString model = path("tiny.safetensors");
        const Run snapped = runCli({"flops", model, "--schedule", path("bad.txt"), "--steps", "40", "--snap-widths"});
        QCOMPARE(snapped.exitCode, 0);
        QVERIFY2(snapped.err.contains("note: " + path("bad.txt") +
                                      ": snapped to the model's widths: 0.6 -> 0.5 (15 timesteps)"),
                 qPrintable(snapped.err));
        // The cost is that of the schedule written with 0.5 in the first place.
        const Run reference = runCli({"flops", model, "--schedule", path("snapped.txt"), "--steps", "40"});
        QCOMPARE(reference.exitCode, 0);
        QVERIFY(!gflopsLine(reference.out).isEmpty());
        QCOMPARE(gflopsLine(snapped.out), gflopsLine(reference.out));
        const Run full = runCli({"flops", model, "--width", "1.0", "--steps", "40"});
        QVERIFY(gflopsLine(full.out) != gflopsLine(reference.out));

        // The grid's embedded schedule holds the snapped widths.
        const Run sample = runCli({"sample", model, "--schedule", path("bad.txt"), "--steps", "4", "--count", "1",
                                   "--out", path("snapped.png"), "--snap-widths"});
        QCOMPARE(sample.exitCode, 0);
        const auto text = readPngText(path("snapped.png").toStdString());
        const auto settings = nlohmann::json::parse(text.at(kPngSettingsKey));
        const auto widths = settings["schedule"]["widths"].get<std::vector<double>>();
        QCOMPARE(widths.size(), size_t(40));
        QCOMPARE(widths[4], 1.0);
        QCOMPARE(widths[5], 0.5);
        QCOMPARE(widths[19], 0.5);
        QCOMPARE(widths[20], 1.0);
    }

    void contradictingSegmentsAreRefused()
    {
        for (const char* command : {"show", "convert"}) {
            QStringList args{"schedule", command, path("contradict.json")};
            if (QString(command) == "convert")
                args << path("never.txt");
            const Run run = runCli(args);
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(path("contradict.json") + R"(: "segments" and "widths" disagree at t = 18)"),
                     qPrintable(run.err));
        }
        QVERIFY(!QFile::exists(path("never.txt")));
    }

    void foldersAreNamedAsFolders_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("folder");
        const QString folder = path("folder.safetensors");
        QDir().mkpath(folder);
        QDir().mkpath(path("fm/train-images-idx3-ubyte.gz"));
        QTest::newRow("model") << QStringList{"info", folder} << folder;
        QTest::newRow("schedule") << QStringList{"schedule", "show", folder} << folder;
        QTest::newRow("--schedule") << QStringList{"flops", path("tiny.safetensors"), "--schedule", folder} << folder;
        QTest::newRow("--config") << QStringList{"flops", "--config", folder} << folder;
        QTest::newRow("--ref (npz)") << QStringList{"fid", path("tiny.safetensors"), "--ref", folder, "--steps", "10",
                                                    "--samples", "2"}
                                     << folder;
        QTest::newRow("checkpoint") << QStringList{"import-checkpoint", folder, "--out", path("never.safetensors")}
                                    << folder;
        QTest::newRow("IDX") << QStringList{"stats", "--data", "fashion-mnist:train:" + path("fm"), "--out",
                                            path("never.npz")}
                             << path("fm/train-images-idx3-ubyte.gz");
    }

    void foldersAreNamedAsFolders()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, folder);
        const Run run = runCli(args);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(folder + " is a folder, not a file"), qPrintable(run.err));
    }

    // The payload creates a marker file; plain pickle.loads (the control) does
    // run it, `ddsm import-checkpoint` must not.
    void hostileCheckpointRunsNothing()
    {
        const QString checkpoint = path("evil.pt");
        const QString marker = path("marker");
        QVERIFY(ddsm::test::writeHostileCheckpoint(checkpoint, marker));

        const Run run = runCli({"import-checkpoint", checkpoint, "--out", path("evil.safetensors")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(checkpoint + ": refuses global posix.system: a checkpoint may only hold tensors, "
                                               "dicts, lists and numbers"),
                 qPrintable(run.err));
        QVERIFY2(!QFile::exists(marker), "the checkpoint's payload ran");
        QVERIFY(!QFile::exists(path("evil.safetensors")));

        QVERIFY(ddsm::test::unpickleWithPython(checkpoint));
        QVERIFY2(QFile::exists(marker), "the payload is not live: the test above proves nothing");
    }
};

QTEST_APPLESS_MAIN(TestCliInputs)
#include "test_cli_inputs.moc"
