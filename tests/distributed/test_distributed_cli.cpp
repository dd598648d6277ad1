// Whole data-parallel jobs of the `ddsm` executable on 127.0.0.1: the launcher,
// training on 2 ranks against 1, resume, sharded FID, a rank killed mid-run.
#include "distributed/distributed_config.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

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

QString port() { return QString::number(freeLoopbackPort()); }

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

    void launchRefusesAMissingCommand()
    {
        const Run r = runCli({"launch", "--nproc", "2"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no command to launch"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestDistributedCli)
#include "test_distributed_cli.moc"
