// Crash safety: processes killed with SIGKILL at random moments and in the middle
// of writing a file. `ddsm train` (checkpoint every step) and `ddsm search`
// (checkpoint every generation) are killed again and again, each restart
// resuming the last run; after every kill each file they keep must parse whole,
// the checkpointed step or generation never goes back, and a final --resume
// ends exactly where an uninterrupted run ends. The writers themselves (the
// safetensors writer over core's atomic write, and the app's workspace save)
// are killed while they save in a loop, in a child process of this test.
//
// The kill moments are random; DDSM_CRASH_SEED=N repeats a run's moments.
// LibTorch before any Qt header (Qt's "slots" macro).
#include <torch/torch.h>

#include "engine/model_file.h"
#include "engine/net_config.h"
#include "io/safetensors.h"
#include "search/search_checkpoint.h"
#include "tiny_net.h"
#ifdef DDSM_CRASH_TEST_UI
#include "workspace_file.h"
#endif

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

using namespace ddsm;

namespace {

// ---------------------------------------------------------------------------
// Child mode: this executable saves one file forever, alternating two versions.

NamedTensors tensorVersion(int v)
{
    return {{"x", torch::full({v ? 400000 : 150000}, float(v + 1))}, {"y", torch::arange(v ? 7 : 3, torch::kLong)}};
}

#ifdef DDSM_CRASH_TEST_UI
ui::Workspace workspaceVersion(int v)
{
    ui::Workspace w;
    w.modelPath = QString("/models/version-%1.safetensors").arg(v);
    w.sampler.seed = uint64_t(v);
    w.sampler.steps = v ? 100 : 50;
    w.layout = QByteArray(v ? 600000 : 200000, char('a' + v));
    return w;
}
#endif

int writeForever(const std::string& kind, const std::string& path)
{
    for (int i = 0;; ++i) {
        const int v = i % 2;
        if (kind == "safetensors")
            saveSafetensors(path, tensorVersion(v), {{"version", std::to_string(v)}});
#ifdef DDSM_CRASH_TEST_UI
        else if (kind == "workspace") {
            // After "ready", 's' and 'e' bracket each save (unbuffered): output ending in 's'
            // tells the test that its kill landed inside saveWorkspace.
            if (i > 0)
                (void)!::write(STDOUT_FILENO, "s", 1);
            ui::saveWorkspace(QString::fromStdString(path), workspaceVersion(v));
            if (i > 0)
                (void)!::write(STDOUT_FILENO, "e", 1);
        }
#endif
        else
            return 2;
        if (i == 0) {
            std::puts("ready");
            std::fflush(stdout);
        }
    }
}

// ---------------------------------------------------------------------------

NetConfig tinyNet(int imageSize, std::vector<double> widths)
{
    NetConfig c = test::tinyNet();
    c.imageSize = imageSize;
    c.widths = std::move(widths);
    return c;
}

std::string temporaryOf(const QString& target, qint64 pid)
{
    return (target + ".tmp-" + QString::number(pid)).toStdString();
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

struct Kill {
    qint64 pid = 0;
    qint64 ms = 0;            // from start to the kill
    bool duringWrite = false;  // a temporary of a target was left behind
    bool exitedByItself = false;
};

// Starts `program args` (output to files outside the watched folder) and kills
// it with SIGKILL: once `writesBeforeKill` temporaries of `targets` have
// appeared (the kill lands while the last one is being written), or, with
// writesBeforeKill == 0, after `delayMs`.
Kill startAndKill(const QString& program, const QStringList& args, const QStringList& targets, int writesBeforeKill,
                  int delayMs, const QString& logPrefix)
{
    QProcess p;
    p.setStandardOutputFile(logPrefix + ".out");
    p.setStandardErrorFile(logPrefix + ".err");
    QElapsedTimer timer;
    timer.start();
    p.start(program, args);
    Kill k;
    if (!p.waitForStarted(10000))
        return k;
    k.pid = p.processId();
    std::vector<std::string> temporaries;
    for (const auto& t : targets)
        temporaries.push_back(temporaryOf(t, k.pid));
    std::vector<bool> present(temporaries.size(), false);
    int appearances = 0;
    qint64 lastStateCheck = 0;
    const qint64 giveUpMs = 8000;
    while (true) {
        const qint64 now = timer.elapsed();
        if (writesBeforeKill == 0 ? now >= delayMs : now >= giveUpMs)
            break;
        bool kill = false;
        for (size_t i = 0; i < temporaries.size(); ++i) {
            const bool there = exists(temporaries[i]);
            if (there && !present[i] && ++appearances >= writesBeforeKill && writesBeforeKill > 0)
                kill = true;
            present[i] = there;
        }
        if (kill)
            break;
        if (now - lastStateCheck > 50) {
            lastStateCheck = now;
            if (p.waitForFinished(0) || p.state() == QProcess::NotRunning) {
                k.exitedByItself = true;
                return k;
            }
        }
        ::usleep(writesBeforeKill ? 100 : 1000);
    }
    ::kill(pid_t(k.pid), SIGKILL);
    k.ms = timer.elapsed();
    p.waitForFinished(10000);
    for (const auto& t : temporaries)
        k.duringWrite = k.duringWrite || exists(t);
    return k;
}

struct Run {
    int exitCode;
    QString out, err;
};

Run runToEnd(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000))
        p.kill();
    p.waitForFinished();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// Every file of `dir` must be one of `names`, or a temporary of a killed process
// (a name "TARGET.tmp-PID" or QSaveFile's "TARGET.XXXXXX"), counted in *stale.
QString unexpectedFiles(const QString& dir, const QStringList& names, int* stale)
{
    QString unexpected;
    *stale = 0;
    for (const auto& entry : QDir(dir).entryList(QDir::Files | QDir::NoDotAndDotDot)) {
        if (names.contains(entry))
            continue;
        bool temporary = false;
        for (const auto& n : names)
            temporary = temporary || entry.startsWith(n + ".");
        if (temporary)
            ++*stale;
        else
            unexpected += entry + " ";
    }
    return unexpected;
}

qint64 seedOfThisRun()
{
    const QByteArray fixed = qgetenv("DDSM_CRASH_SEED");
    return fixed.isEmpty() ? qint64(QRandomGenerator::system()->bounded(1000000)) : fixed.toLongLong();
}

std::map<std::string, at::Tensor> tensorsOf(const QString& file)
{
    const auto loaded = loadSafetensors(file.toStdString());
    return {loaded.tensors.begin(), loaded.tensors.end()};
}

}  // namespace

class TestCrashSafety final : public QObject {
    Q_OBJECT
    // In the build tree rather than /tmp: a tmpfs makes the write window (fsync) too short to see.
    QTemporaryDir dir_{QDir::currentPath() + "/crash-safety-XXXXXX"};
    QRandomGenerator rng_;
    QString path(const QString& name) { return dir_.filePath(name); }

    QStringList trainArgs(const QString& out, bool resume, int64_t steps)
    {
        QStringList args{"train", "--out", path(out), "--steps", QString::number(steps), "--threads", "1",
                         "--sample-every", "0", "--checkpoint-every", "1"};
        if (resume)
            return args << "--resume";
        return args << "--config" << path("tiny8.json") << "--data" << path("images") << "--batch" << "8" << "--lr"
                    << "1e-3" << "--warmup" << "2" << "--seed" << "3" << "--ema" << "0.9";
    }

    QStringList searchArgs(const QString& out, int generations)
    {
        return {"search", "--init", "random", "--config", path("tiny28.json"), "--features", "pixels",
                "--reference-count", "200", "--samples-per-candidate", "8", "--batch", "8", "--race-max-samples", "0",
                "--steps", "2", "--population", "4", "--final-samples", "8", "--bootstrap", "10", "--threads", "1",
                "--generations", QString::number(generations), "--out", path(out), "--resume"};
    }

    // Half the kills wait for the 1st to 4th write of a target, half land at a random moment.
    Kill killOnce(const QString& program, const QStringList& args, const QStringList& targets, int kill, int maxDelayMs,
                  const QString& log)
    {
        const bool atWrite = kill % 2 == 0;
        return startAndKill(program, args, targets, atWrite ? 1 + int(rng_.bounded(4)) : 0,
                            atWrite ? 0 : 100 + int(rng_.bounded(maxDelayMs)), log);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const qint64 seed = seedOfThisRun();
        rng_.seed(quint32(seed));
        qInfo("kill moments from DDSM_CRASH_SEED=%lld", static_cast<long long>(seed));
        saveNetConfig(path("tiny8.json").toStdString(), tinyNet(8, {1.0, 0.5}));
        saveNetConfig(path("tiny28.json").toStdString(), tinyNet(28, {1.0, 0.75, 0.5, 0.25}));
        QDir().mkpath(path("images"));
        cv::RNG rng(7);
        for (int i = 0; i < 24; ++i) {
            cv::Mat image(8, 8, CV_8UC1);
            rng.fill(image, cv::RNG::UNIFORM, 0, 256);
            cv::imwrite(path("images/%1.png").arg(i, 2, 10, QChar('0')).toStdString(), image);
        }
    }

    void trainKilledWhileCheckpointingResumesFromTheLastWholeCheckpoint()
    {
        const QString out = path("train");
        const QString checkpoint = out + "/checkpoint.safetensors", model = out + "/model.safetensors";
        int64_t lastStep = 0;
        int kills = 0, duringWrite = 0, stale = 0;
        QElapsedTimer timer;
        timer.start();
        while (kills < 12 && timer.elapsed() < 30000 && !(kills >= 8 && duringWrite >= 3)) {
            const bool resume = QFile::exists(checkpoint);
            const Kill k = killOnce(DDSM_CLI, trainArgs("train", resume, 100000), {checkpoint, model}, kills, 2500,
                                    path("train-log"));
            QVERIFY2(k.pid > 0, "ddsm train did not start");
            QVERIFY2(!k.exitedByItself, qPrintable(QString("ddsm train ended by itself: ") + path("train-log.err")));
            ++kills;
            duringWrite += k.duringWrite;

            // What the kill left: whole files, and temporaries of the writes it cut short.
            QString why;
            try {
                if (QFile::exists(checkpoint)) {
                    const auto file = loadSafetensors(checkpoint.toStdString());
                    const int64_t step = std::stoll(file.metadata.at("step"));
                    QVERIFY2(step >= lastStep, qPrintable(QString("the checkpoint went back from step %1 to %2")
                                                              .arg(lastStep)
                                                              .arg(step)));
                    lastStep = step;
                }
                if (QFile::exists(model))
                    loadModel(model.toStdString());
            } catch (const std::exception& e) {
                why = e.what();
            }
            QVERIFY2(why.isEmpty(), qPrintable(QString("after a kill at %1 ms: %2").arg(k.ms).arg(why)));
            const QString unexpected =
                unexpectedFiles(out, {"checkpoint.safetensors", "model.safetensors", "loss.csv"}, &stale);
            QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));

            // The log holds whole rows only.
            QFile csv(out + "/loss.csv");
            if (csv.open(QIODevice::ReadOnly)) {
                const QList<QByteArray> lines = csv.readAll().split('\n');
                QVERIFY(lines.back().isEmpty());  // ends with a newline
                for (int i = 1; i + 1 < lines.size(); ++i)
                    QVERIFY2(lines[i].count(',') == lines[0].count(','), lines[i].constData());
            }
        }
        qInfo("ddsm train: %d kills in %.1f s, %d during a checkpoint or model write, %d temporaries left; "
              "the checkpoint reached step %lld",
              kills, timer.elapsed() / 1000.0, duringWrite, stale, static_cast<long long>(lastStep));
        QVERIFY2(duringWrite >= 1, "no kill landed while a checkpoint was being written");
        QVERIFY2(lastStep > 0, "no checkpoint survived the kills");

        // A last --resume continues from the last checkpoint and ends where an uninterrupted run ends.
        const int64_t total = lastStep + 3;
        const Run finish = runToEnd(DDSM_CLI, trainArgs("train", true, total));
        QVERIFY2(finish.exitCode == 0, qPrintable(finish.out + finish.err));
        QVERIFY2(finish.out.contains(QString("resumed at step %1 of %2").arg(lastStep).arg(total)),
                 qPrintable(finish.out));
        const Run straight = runToEnd(DDSM_CLI, trainArgs("straight", false, total));
        QVERIFY2(straight.exitCode == 0, qPrintable(straight.out + straight.err));
        const auto resumed = tensorsOf(checkpoint);
        const auto uninterrupted = tensorsOf(path("straight/checkpoint.safetensors"));
        QCOMPARE(resumed.size(), uninterrupted.size());
        for (const auto& [name, t] : uninterrupted)
            QVERIFY2(torch::equal(t, resumed.at(name)), name.c_str());
        QCOMPARE(readSafetensorsMetadata(checkpoint.toStdString()).at("step"), std::to_string(total));

        // The log follows the checkpoint: each resume drops the rows of steps after its
        // checkpoint, so after all the kills every step is logged exactly once.
        QFile csv(out + "/loss.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QVERIFY(lines.back().isEmpty());
        for (int i = 1; i + 1 < lines.size(); ++i)
            QCOMPARE(lines[i].left(lines[i].indexOf(',')).toLongLong(), static_cast<long long>(i));
        QCOMPARE(static_cast<long long>(lines.size() - 2), static_cast<long long>(total));
    }

    void searchKilledWhileCheckpointingResumesFromTheLastWholeCheckpoint()
    {
        const QString out = path("search");
        const QString checkpoint = out + "/checkpoint.json";
        int lastGeneration = -1;
        int kills = 0, duringWrite = 0, stale = 0;
        QElapsedTimer timer;
        timer.start();
        while (kills < 10 && timer.elapsed() < 25000 && !(kills >= 6 && duringWrite >= 3)) {
            const Kill k = killOnce(DDSM_CLI, searchArgs("search", 1000000), {checkpoint}, kills, 2500,
                                    path("search-log"));
            QVERIFY2(k.pid > 0, "ddsm search did not start");
            QVERIFY2(!k.exitedByItself, qPrintable(QString("ddsm search ended by itself: ") + path("search-log.err")));
            ++kills;
            duringWrite += k.duringWrite;
            QString why;
            try {
                if (QFile::exists(checkpoint)) {
                    const SearchCheckpoint c = loadSearchCheckpoint(checkpoint.toStdString());
                    QVERIFY2(c.generation >= lastGeneration,
                             qPrintable(QString("the checkpoint went back from generation %1 to %2")
                                            .arg(lastGeneration)
                                            .arg(c.generation)));
                    lastGeneration = c.generation;
                }
            } catch (const std::exception& e) {
                why = e.what();
            }
            QVERIFY2(why.isEmpty(), qPrintable(QString("after a kill at %1 ms: %2").arg(k.ms).arg(why)));
            const QString unexpected = unexpectedFiles(out, {"checkpoint.json"}, &stale);
            QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
        }
        qInfo("ddsm search: %d kills in %.1f s, %d during a checkpoint write, %d temporaries left; "
              "the checkpoint reached generation %d",
              kills, timer.elapsed() / 1000.0, duringWrite, stale, lastGeneration);
        QVERIFY2(duringWrite >= 1, "no kill landed while a checkpoint was being written");
        QVERIFY2(lastGeneration >= 0, "no checkpoint survived the kills");

        const int generations = lastGeneration + 2;
        const Run finish = runToEnd(DDSM_CLI, searchArgs("search", generations));
        QVERIFY2(finish.exitCode == 0, qPrintable(finish.out + finish.err));
        QVERIFY2(finish.err.contains(QString("resumed after generation %1").arg(lastGeneration)),
                 qPrintable(finish.err));
        QVERIFY(QFile::exists(out + "/best.json"));
        const Run straight = runToEnd(DDSM_CLI, searchArgs("straight-search", generations));
        QVERIFY2(straight.exitCode == 0, qPrintable(straight.out + straight.err));
        auto document = [](const QString& file) {
            QFile f(file);
            f.open(QIODevice::ReadOnly);
            auto json = nlohmann::json::parse(f.readAll().toStdString());
            json.erase("elapsed_seconds");
            return json;
        };
        const auto resumed = document(checkpoint), uninterrupted = document(path("straight-search/checkpoint.json"));
        QCOMPARE(resumed.at("generation").get<int>(), generations);
        QVERIFY2(resumed == uninterrupted, "the resumed search differs from an uninterrupted one");
    }

    void safetensorsWriterKilledMidSaveLeavesTheLastWholeFile()
    {
        const QString dir = path("writer");
        QDir().mkpath(dir);
        const QString file = dir + "/tensors.safetensors";
        int kills = 0, duringWrite = 0, stale = 0;
        std::set<std::string> seen;
        for (; kills < 10; ++kills) {
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(), {"--write-forever", "safetensors", file});
            QVERIFY(child.waitForStarted(10000));
            QVERIFY2(child.waitForReadyRead(30000), "the writer did not start writing");
            ::usleep(useconds_t(rng_.bounded(150000)));
            const std::string temporary = temporaryOf(file, child.processId());
            ::kill(pid_t(child.processId()), SIGKILL);
            child.waitForFinished(10000);
            duringWrite += exists(temporary);
            QString why;
            try {
                const auto loaded = loadSafetensors(file.toStdString());
                const int v = std::stoi(loaded.metadata.at("version"));
                seen.insert(loaded.metadata.at("version"));
                const auto expected = tensorVersion(v);
                QCOMPARE(loaded.tensors.size(), expected.size());
                for (size_t i = 0; i < expected.size(); ++i)
                    QVERIFY(torch::equal(loaded.tensors[i].second, expected[i].second));
            } catch (const std::exception& e) {
                why = e.what();
            }
            QVERIFY2(why.isEmpty(), qPrintable(why));
            const QString unexpected = unexpectedFiles(dir, {"tensors.safetensors"}, &stale);
            QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
        }
        qInfo("safetensors writer: %d kills, %d mid-write, versions seen %zu, %d temporaries left", kills, duringWrite,
              seen.size(), stale);
        QVERIFY2(duringWrite >= 1, "no kill landed mid-write");
    }

    void workspaceSaveKilledMidSaveLeavesTheLastWholeFile()
    {
#ifndef DDSM_CRASH_TEST_UI
        QSKIP("built without the app (DDSM_BUILD_GUI=OFF)");
#else
        // The app's own save function, killed while it saves in a loop: the window
        // itself cannot be stopped at a chosen moment of its save.
        const QString dir = path("workspace");
        QDir().mkpath(dir);
        const QString file = dir + "/session.ddsm-workspace.json";
        int stale = 0, duringSave = 0;
        std::set<int> seen;
        for (int kill = 0; kill < 10; ++kill) {
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(), {"--write-forever", "workspace", file});
            QVERIFY(child.waitForStarted(10000));
            QVERIFY2(child.waitForReadyRead(30000), "the workspace writer did not start writing");
            ::usleep(useconds_t(rng_.bounded(150000)));
            ::kill(pid_t(child.processId()), SIGKILL);
            child.waitForFinished(10000);
            duringSave += child.readAllStandardOutput().endsWith('s');
            QString why;
            try {
                const ui::Workspace w = ui::loadWorkspace(file);
                const int v = int(w.sampler.seed);
                seen.insert(v);
                const ui::Workspace expected = workspaceVersion(v);
                QCOMPARE(w.modelPath, expected.modelPath);
                QCOMPARE(w.sampler.steps, expected.sampler.steps);
                QVERIFY(w.layout == expected.layout);
            } catch (const std::exception& e) {
                why = e.what();
            }
            QVERIFY2(why.isEmpty(), qPrintable(why));
            const QString unexpected = unexpectedFiles(dir, {"session.ddsm-workspace.json"}, &stale);
            QVERIFY2(unexpected.isEmpty(), qPrintable(unexpected));
        }
        qInfo("workspace save: 10 kills, %d inside a save, versions seen %zu, %d temporaries left", duringSave,
              seen.size(), stale);
        QVERIFY2(duringSave >= 1, "no kill landed inside a save");
#endif
    }
};

int main(int argc, char** argv)
{
    if (argc == 4 && std::strcmp(argv[1], "--write-forever") == 0) {
        try {
            return writeForever(argv[2], argv[3]);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 1;
        }
    }
    QCoreApplication app(argc, argv);
    TestCrashSafety test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_crash_safety.moc"
