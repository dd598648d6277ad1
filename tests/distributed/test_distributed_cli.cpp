// Whole data-parallel jobs of the `ddsm` executable on 127.0.0.1: the launcher,
// training on 2 ranks against 1, resume, sharded FID, compare, importance and
// search, a rank killed mid-run.
#include "distributed/distributed_config.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"
#include "tiny_net.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <map>
#include <signal.h>

using namespace ddsm;

namespace {

struct Run {
    int exitCode;
    QString out, err;
    qint64 ms;
};

Run runCli(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    QElapsedTimer timer;
    timer.start();
    p.start(DDSM_CLI, args);
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    p.waitForFinished();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError()), timer.elapsed()};
}

// Tiny, and without dropout: dropout masks are drawn per rank.
NetConfig tiny()
{
    NetConfig c = test::tinyNet();
    c.baseChannels = 32;
    c.widths = {1.0, 0.75, 0.5};  // a middle width, drawn identically on every rank
    return c;
}

std::map<std::string, at::Tensor> tensorsOf(const QString& file)
{
    const auto loaded = loadSafetensors(file.toStdString());
    return {loaded.tensors.begin(), loaded.tensors.end()};
}

// The largest absolute difference over the tensors whose names start with `prefix`.
double largestDifference(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b,
                         const std::string& prefix)
{
    double largest = 0;
    int compared = 0;
    for (const auto& [name, t] : a)
        if (name.rfind(prefix, 0) == 0) {
            largest = std::max(largest, (t - b.at(name)).abs().max().item<double>());
            ++compared;
        }
    if (compared == 0)
        throw std::runtime_error("no tensor named " + prefix + "*");
    return largest;
}

}  // namespace

class TestDistributedCli final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString path(const QString& name) { return dir_.filePath(name); }

private slots:
    void launchSetsTheTorchrunEnvironmentAndPrefixesOutput()
    {
        const Run r = runCli({"launch", "--nproc", "2", "--master-port", "0", "--", "sh", "-c",
                              "echo env $RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR; echo oops >&2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("[rank 0] env 0 0 2 2 127.0.0.1"), qPrintable(r.out));
        QVERIFY2(r.out.contains("[rank 1] env 1 1 2 2 127.0.0.1"), qPrintable(r.out));
        QVERIFY2(r.err.contains("[rank 1] oops"), qPrintable(r.err));
    }

    void launchEndsTheJobWhenARankFails()
    {
        // Rank 1 fails at once; rank 0 would run for a minute.
        const Run r = runCli({"launch", "--nproc", "2", "--master-port", "0", "--grace", "2", "--", "sh", "-c",
                              "if [ $RANK = 1 ]; then exit 3; fi; sleep 60"});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("rank 1 (pid"), qPrintable(r.err));
        QVERIFY2(r.err.contains("job failed: rank 1 exited with code 3"), qPrintable(r.err));
        QVERIFY2(r.ms < 15000, qPrintable(QString::number(r.ms)));
    }

    void initTestCase()
    {
        saveNetConfig(path("tiny.json").toStdString(), tiny());
        // 20 images: batches of 8 run into a short last batch of 4 within the test's steps.
        QDir().mkpath(path("images"));
        cv::RNG rng(7);
        for (int i = 0; i < 20; ++i) {
            cv::Mat image(8, 8, CV_8UC1);
            rng.fill(image, cv::RNG::UNIFORM, 0, 256);
            cv::imwrite(path("images/%1.png").arg(i, 2, 10, QChar('0')).toStdString(), image);
        }
    }

    QStringList trainArgs(const QString& out, int steps)
    {
        return {"train", "--config", path("tiny.json"), "--data", path("images"), "--out", path(out), "--steps",
                QString::number(steps), "--batch", "8", "--lr", "1e-3", "--warmup", "0", "--seed", "3", "--threads",
                "1", "--sample-every", "0", "--checkpoint-every", "2", "--ema", "0.9"};
    }

    // An untrained tiny network of 28x28 images (the default features' size), saved.
    QString tinyModel28(const QString& name, uint64_t seed)
    {
        NetConfig c = tiny();
        c.imageSize = 28;
        c.baseChannels = 16;
        c.widths = {1.0, 0.5};
        SlimmableUNet net(c);
        net.initialize(seed);
        // Untrained, the output layer starts at zero and every width predicts the
        // same; perturbed weights make the widths, and so the schedules, differ.
        torch::NoGradGuard noGrad;
        torch::manual_seed(seed);
        for (auto& p : net.parameters())
            p.add_(torch::randn_like(p) * 0.05);
        saveModel(path(name).toStdString(), net, "{}");
        return path(name);
    }

    QStringList onTwoRanks(const QStringList& command)
    {
        return QStringList{"launch", "--nproc", "2", "--master-port", "0", "--"} + QStringList{"ddsm"} + command;
    }

    void twoRanksTrainAsOneProcessDoes()
    {
        const Run one = runCli(trainArgs("one", 5));
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Run two = runCli(onTwoRanks(trainArgs("two", 5)));
        QVERIFY2(two.exitCode == 0, qPrintable(two.out + two.err));
        QVERIFY2(two.out.contains("[rank 0] rank 0 of 2"), qPrintable(two.out));
        QVERIFY2(two.out.contains("[rank 1] rank 1 of 2"), qPrintable(two.out));
        QVERIFY2(!two.out.contains("[rank 1] step"), qPrintable(two.out));  // rank 0 alone reports

        const auto a = tensorsOf(path("one/checkpoint.safetensors"));
        const auto b = tensorsOf(path("two/checkpoint.safetensors"));
        // Only the summation order differs (two half-batch sums added, vs one).
        const double tolerance = 2e-5;
        for (const char* part : {"model.", "ema.", "adam_m.", "adam_v."}) {
            qInfo("%s largest difference 1 vs 2 ranks: %g", part, largestDifference(a, b, part));
            QVERIFY2(largestDifference(a, b, part) < tolerance,
                     qPrintable(QString("%1 %2").arg(part).arg(largestDifference(a, b, part))));
        }
        // ... and the weights did move, by far more than the tolerance.
        SlimmableUNet initial(tiny());
        initial.initialize(3);
        std::map<std::string, at::Tensor> start;
        for (const auto& p : initial.named_parameters())
            start["model." + p.key()] = p.value().detach();
        QVERIFY2(largestDifference(start, a, "model.") > 100 * tolerance,
                 qPrintable(QString::number(largestDifference(start, a, "model."))));
    }

    void aResumedTwoRankRunEqualsAnUninterruptedOne()
    {
        // Stops at step 3 (an odd step, after a checkpoint at 2 was overwritten by the final one).
        const Run first = runCli(onTwoRanks(trainArgs("resumed", 3)));
        QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
        const Run rest = runCli(onTwoRanks({"train", "--out", path("resumed"), "--resume", "--steps", "5", "--threads",
                                            "1", "--sample-every", "0", "--checkpoint-every", "2"}));
        QVERIFY2(rest.exitCode == 0, qPrintable(rest.out + rest.err));
        QVERIFY2(rest.out.contains("resumed at step 3 of 5"), qPrintable(rest.out));
        const auto straight = tensorsOf(path("two/checkpoint.safetensors"));
        const auto resumed = tensorsOf(path("resumed/checkpoint.safetensors"));
        for (const char* part : {"model.", "ema.", "adam_m.", "adam_v."})
            QCOMPARE(largestDifference(straight, resumed, part), 0.0);
    }

    void aKilledRankEndsTheJobNamingIt()
    {
        // Two ranks started by hand, as on two machines; rank 1 is killed mid-run.
        const QString port = QString::number(freeLoopbackPort());
        QProcess ranks[2];
        for (int r = 0; r < 2; ++r) {
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert("WORLD_SIZE", "2");
            env.insert("RANK", QString::number(r));
            env.insert("MASTER_ADDR", "127.0.0.1");
            env.insert("MASTER_PORT", port);
            env.insert("DDSM_DIST_TIMEOUT", "30");
            ranks[r].setProcessEnvironment(env);
            ranks[r].start(DDSM_CLI, trainArgs(QString("killed"), 100000) << "--checkpoint-every" << "5");
        }
        QString out;
        QElapsedTimer timer;
        timer.start();
        while (!out.contains("step 10/") && timer.elapsed() < 60000) {
            ranks[0].waitForReadyRead(1000);
            out += QString::fromUtf8(ranks[0].readAllStandardOutput());
        }
        QVERIFY2(out.contains("step 10/"), qPrintable(out + ranks[0].readAllStandardError()));
        ::kill(pid_t(ranks[1].processId()), SIGKILL);
        timer.restart();
        QVERIFY(ranks[0].waitForFinished(30000));
        const QString err = QString::fromUtf8(ranks[0].readAllStandardError());
        qInfo("rank 0 after rank 1 was killed, %lld ms: %s", timer.elapsed(), qPrintable(err.trimmed()));
        QCOMPARE(ranks[0].exitCode(), 1);
        QVERIFY2(err.contains("rank 0 of 2: all-reduce of the gradients at step") ||
                     err.contains("rank 0 of 2: agreeing whether to stop"),
                 qPrintable(err));
        QVERIFY2(err.contains("rank 1 stopped answering"), qPrintable(err));
        QVERIFY2(timer.elapsed() < 30000, qPrintable(QString::number(timer.elapsed())));
        // The last checkpoint is whole: it loads.
        const auto checkpoint = tensorsOf(path("killed/checkpoint.safetensors"));
        QVERIFY(checkpoint.count("model.out.weight") || checkpoint.size() > 10);
        ranks[1].waitForFinished();
    }

    void twoRanksMeasureTheFidOfOneProcess()
    {
        // The default features need 28x28 images: an untrained tiny network of that size.
        NetConfig c = tiny();
        c.imageSize = 28;
        c.baseChannels = 16;
        c.widths = {1.0, 0.5};
        saveNetConfig(path("tiny28.json").toStdString(), c);
        // 23 images in batches of 5: the second round has one batch, and it is short.
        const QStringList fid{"fid", "--init", "random", "--config", path("tiny28.json"), "--samples", "23", "--batch",
                              "5", "--steps", "3", "--seed", "11", "--threads", "1", "--kid-count", "100", "--rounds",
                              "20"};
        const Run one = runCli(fid);
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Run two = runCli(onTwoRanks(fid));
        QVERIFY2(two.exitCode == 0, qPrintable(two.out + two.err));
        const auto figures = [](const QString& out) {
            QStringList lines;
            for (QString line : out.split('\n')) {
                line.remove(QRegularExpression("^\\[rank 0\\] "));
                if (line.startsWith("FID ") || (line.startsWith("KID ") && !line.startsWith("KID reference")))
                    lines << line;
            }
            return lines;
        };
        const QStringList a = figures(one.out), b = figures(two.out);
        QVERIFY2(a.size() == 2, qPrintable(a.join(" | ")));
        QVERIFY2(a[0].contains("n=23"), qPrintable(a[0]));
        QCOMPARE(b, a);  // estimates, intervals and counts, digit for digit
        QVERIFY2(!two.out.contains("[rank 1] FID"), qPrintable(two.out));
    }

    void twoRanksCompareAsOneProcessDoes()
    {
        const QString model = tinyModel28("compare.safetensors", 5), other = tinyModel28("other.safetensors", 6);
        // 23 images in batches of 5: rank 0 samples batches 0, 2, 4 (a short one), rank 1 batches 1, 3;
        // the last schedule is sampled by another model, by its own evaluator.
        const auto compare = [&](const QString& json) {
            return QStringList{"compare", model, "width:1", "width:0.5", "width:1@" + other, "--samples", "23",
                               "--batch", "5", "--steps", "3", "--seed", "11", "--threads", "1", "--bootstrap",
                               "20", "--json", path(json)};
        };
        const Run one = runCli(compare("compare-one.json"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Run two = runCli(onTwoRanks(compare("compare-two.json")));
        QVERIFY2(two.exitCode == 0, qPrintable(two.out + two.err));
        qInfo("compare: 1 rank %lld ms, 2 ranks %lld ms", one.ms, two.ms);
        // The table's rows without the seconds column (each rank's own sampling time).
        const auto table = [](const QString& out) {
            QStringList rows;
            for (QString line : out.split('\n')) {
                line.remove(QRegularExpression("^\\[rank 0\\] "));
                if (line.contains(QRegularExpression("^\\s*\\d+\\.\\d{3} ")))
                    rows << line.remove(QRegularExpression("\\s+\\d+\\.\\d(?=  \\S+$)"));
            }
            return rows;
        };
        const QStringList a = table(one.out), b = table(two.out);
        QVERIFY2(a.size() == 3, qPrintable(one.out));
        QCOMPARE(b, a);  // FIDs, differences and intervals, digit for digit
        QVERIFY2(!two.out.contains("[rank 1]"), qPrintable(two.out));
        // The JSON holds the figures at full precision.
        const auto figures = [&](const QString& json) {
            QFile file(path(json));
            if (!file.open(QIODevice::ReadOnly))
                return QJsonArray();
            auto rows = QJsonDocument::fromJson(file.readAll()).object()["schedules"].toArray();
            for (int i = 0; i < rows.size(); ++i) {
                auto row = rows[i].toObject();
                row.remove("sampling_seconds");
                rows[i] = row;
            }
            return rows;
        };
        const QJsonArray x = figures("compare-one.json"), y = figures("compare-two.json");
        QCOMPARE(x.size(), 3);
        QCOMPARE(y, x);
        // The schedules do differ, so equal figures are not equal by construction.
        QVERIFY(x[1].toObject()["fid"].toDouble() != x[0].toObject()["fid"].toDouble());
        QVERIFY(x[2].toObject()["fid"].toDouble() != x[0].toObject()["fid"].toDouble());
    }

    void twoRanksMeasureTheImportanceOfOneProcess()
    {
        const QString model = tinyModel28("importance.safetensors", 8);
        // Eps departure: 4 bins of 7 images in batches of 3 (12 batches, short ones);
        // distance changes: 11 samples in batches of 3, rank 0 taking the short last one.
        const auto importance = [&](const QString& out) {
            return QStringList{"importance", model, "--out", path(out), "--data", "fashion-mnist", "--bins", "4",
                               "--images-per-bin", "7", "--batch", "3", "--seed", "5", "--distance-samples", "11",
                               "--steps", "4", "--threads", "1"};
        };
        const Run one = runCli(importance("importance-one"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Run two = runCli(onTwoRanks(importance("importance-two")));
        QVERIFY2(two.exitCode == 0, qPrintable(two.out + two.err));
        qInfo("importance: 1 rank %lld ms, 2 ranks %lld ms", one.ms, two.ms);
        const auto csv = [&](const QString& prefix) {
            QFile file(path(prefix + ".csv"));
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        const QString a = csv("importance-one"), b = csv("importance-two");
        QVERIFY2(a.count('\n') == 1 + 1 + 4 * 2, qPrintable(a));  // settings, header, bins x widths
        QCOMPARE(b, a);  // eps departures, errors and distance changes, digit for digit
        QVERIFY(QFile::exists(path("importance-two.png")));
        // The figures are not trivially equal: the narrow width departs, and costs distance.
        const auto narrow = a.split('\n').filter(QRegularExpression("^\\d+,\\d+,0\\.5,"));
        QCOMPARE(narrow.size(), 4);
        QVERIFY2(narrow.filter(QRegularExpression(",0,0,0$")).isEmpty(), qPrintable(narrow.join(" | ")));
        const auto printed = [](const QString& out) {
            QStringList lines;
            for (QString line : out.split('\n')) {
                line.remove(QRegularExpression("^\\[rank 0\\] "));
                if (line.startsWith("full-width distance") || line.contains(QRegularExpression("^\\s*\\d+\\.\\.")))
                    lines << line;
            }
            return lines;
        };
        QCOMPARE(printed(two.out), printed(one.out));
        QCOMPARE(printed(one.out).size(), 1 + 4);
        QVERIFY2(!two.out.contains("[rank 1]"), qPrintable(two.out));
    }

    void twoRanksSearchAsOneProcessDoes()
    {
        const QString model = tinyModel28("search.safetensors", 9);
        // Candidates of 10 images in batches of 5 raced up to 20, two finalists
        // validated, the chosen one re-evaluated on 15 images (a short batch).
        const auto search = [&](const QString& out) {
            return QStringList{"search", model, "--out", path(out), "--features", "pixels", "--reference-count",
                               "200", "--population", "6", "--generations", "2", "--samples-per-candidate", "10",
                               "--race-max-samples", "20", "--batch", "5", "--steps", "4", "--budget", "0.8",
                               "--finalists", "2", "--final-samples", "15", "--bootstrap", "20", "--seed", "4",
                               "--threads", "1"};
        };
        const Run one = runCli(search("search-one"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.out + one.err));
        const Run two = runCli(onTwoRanks(search("search-two")));
        QVERIFY2(two.exitCode == 0, qPrintable(two.out + two.err));
        qInfo("search: 1 rank %lld ms, 2 ranks %lld ms", one.ms, two.ms);
        const auto read = [&](const QString& name) {
            QFile file(path(name));
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        // Every evaluated candidate with its score, cost and front rank.
        const QString front = read("search-one/pareto.csv");
        QVERIFY2(front.count('\n') > 6, qPrintable(front));
        // The schedules' scores spread widely: equal fronts are not equal by construction.
        double lowest = 1e300, highest = -1e300;
        for (const QString& line : front.split('\n').mid(1, front.count('\n') - 1)) {
            const double quality = line.section(',', 2, 2).toDouble();
            lowest = std::min(lowest, quality);
            highest = std::max(highest, quality);
        }
        QVERIFY2(highest - lowest > 0.1, qPrintable(front));
        QVERIFY2(two.out.contains("[rank 0] ranks: 2"), qPrintable(two.out));
        QCOMPARE(read("search-two/pareto.csv"), front);
        // The re-evaluation's figures, without its timings.
        const auto figures = [&](const QString& dir) {
            auto document = QJsonDocument::fromJson(read(dir + "/reevaluation.json").toUtf8()).object();
            auto rows = document["schedules"].toArray();
            for (int i = 0; i < rows.size(); ++i) {
                auto row = rows[i].toObject();
                row.remove("sampling_seconds");
                row.remove("speedup_vs_full");
                rows[i] = row;
            }
            document["schedules"] = rows;
            return document;
        };
        QCOMPARE(figures("search-one")["schedules"].toArray().size(), 2);
        QCOMPARE(figures("search-one")["finalists"].toArray().size(), 2);
        QCOMPARE(figures("search-two"), figures("search-one"));
        QVERIFY2(!two.out.contains("[rank 1]"), qPrintable(two.out));
    }

    void launchRefusesAMissingCommand()
    {
        const Run r = runCli({"launch", "--nproc", "2"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no command to launch"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestDistributedCli)
#include "test_distributed_cli.moc"
