// The app on inputs it must refuse: a checkpoint whose pickle runs a command
// (File > Open goes through ModelSession), and schedules with widths the
// model lacks on every way a schedule enters the timeline (file import,
// restored PNG settings and workspaces via setSchedule, a pending schedule
// via reset). Refusals are messages that name the culprit, never a crash, and
// leave the current document as it was.
#include "main_window.h"
#include "model_session.h"
#include "error_of.h"
#include "hostile_checkpoint.h"

#include "timeline/schedule_document_model.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QTimer>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace ddsm;
using namespace ddsm::ui;

namespace {

using ddsm::test::errorOf;

// The message of the exception `action` throws, or "" if none.

std::vector<double> widthsWith(double width, int lo, int hi, int T = 40)
{
    std::vector<double> widths(size_t(T), 1.0);
    for (int t = lo; t <= hi; ++t)
        widths[size_t(t)] = width;
    return widths;
}

}  // namespace

class TestUiInputs final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("DDSM Studio Test");
        QCoreApplication::setApplicationName("test_ui_inputs");
        QVERIFY(dir_.isValid());
    }

    void hostileCheckpointIsRefusedAndRunsNothing()
    {
        const QString checkpoint = dir_.filePath("evil.pth");
        const QString marker = dir_.filePath("marker");
        QVERIFY(ddsm::test::writeHostileCheckpoint(checkpoint, marker));

        ModelSession session(1);
        QSignalSpy failed(&session, &ModelSession::modelOpenFailed);
        QSignalSpy opened(&session, &ModelSession::modelOpened);
        session.openModel(checkpoint);
        QVERIFY(failed.wait(120000));
        QCOMPARE(opened.count(), 0);
        QVERIFY(!session.hasModel());
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains("evil.pth: refuses global posix.system"), qPrintable(message));
        QVERIFY2(!QFile::exists(marker), "the checkpoint's payload ran");

        // Control: plain unpickling does run the payload.
        QVERIFY(ddsm::test::unpickleWithPython(checkpoint));
        QVERIFY2(QFile::exists(marker), "the payload is not live: the test above proves nothing");
    }

    void openingAFolderSaysSo()
    {
        const QString folder = dir_.filePath("model.safetensors");
        QVERIFY(QDir().mkpath(folder));
        MainWindow window(1);
        QSignalSpy reported(&window, &MainWindow::errorReported);
        // The default messages are modal boxes: close each as it opens.
        QTimer closer;
        connect(&closer, &QTimer::timeout, [] {
            if (QWidget* modal = QApplication::activeModalWidget())
                modal->close();
        });
        closer.start(50);
        window.openFile(folder);
        QCOMPARE(reported.count(), 1);
        QCOMPARE(reported.first().at(1).toString(), folder + " is a folder, not a file.");
    }

    void foreignWidthsAreRefusedOnEveryWayIn()
    {
        ScheduleDocumentModel document;
        document.reset(40, {1.0, 0.5}, 10, StepSchedule::fromWidths(widthsWith(0.5, 0, 9)), "mine");
        const auto before = document.schedule();
        const int undoSteps = document.undoStack()->count();

        // A restored PNG or workspace arrives through setSchedule.
        QString message = errorOf<QString>(
            [&] { document.setSchedule(StepSchedule::fromWidths(widthsWith(0.6, 5, 19)), "grid.png", "Restore"); });
        QVERIFY2(message.contains(R"(schedule "grid.png": width 0.6 at t = 5 (and 14 more timesteps) is not one of )"
                                  "the model's widths (1.0, 0.5)"),
                 qPrintable(message));
        QVERIFY(document.schedule() == before);
        QCOMPARE(document.undoStack()->count(), undoSteps);

        // A schedule waiting for its model arrives through reset.
        message = errorOf<QString>([&] {
            document.reset(40, {1.0, 0.5}, 10, StepSchedule::fromWidths(widthsWith(0.75, 30, 39)), "pending");
        });
        QVERIFY2(message.contains(R"(schedule "pending": width 0.75 at t = 30)"), qPrintable(message));
        QVERIFY(document.schedule() == before);
        QCOMPARE(document.name(), QString("mine"));

        // A file import names the file.
        const QString file = dir_.filePath("search.txt");
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QStringList widths;
            for (double w : widthsWith(0.6, 5, 19))
                widths << QString::number(w, 'f', 1);
            out.write(("[" + widths.join(", ") + "]\n").toUtf8());
        }
        QString error;
        QVERIFY(!document.importFile(file, &error));
        QVERIFY2(error.contains(file + ": width 0.6 at t = 5"), qPrintable(error));
        QVERIFY(document.schedule() == before);
    }
};

QTEST_MAIN(TestUiInputs)
#include "test_ui_inputs.moc"
