#include "base/atomic_file.h"
#include "base/error.h"

#include <QTemporaryDir>
#include <QtTest>

class TestBase final : public QObject {
    Q_OBJECT
private slots:
    void atomicWriteReplacesWholeFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.txt").toStdString();
        ddsm::writeFileAtomically(path, "first version, longer");
        ddsm::writeFileAtomically(path, "second");
        QCOMPARE(QString::fromStdString(ddsm::readWholeFile(path)), QString("second"));
        // No temporary file is left beside the target.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
    }
    void writeToMissingDirectoryNamesPath()
    {
        try {
            ddsm::writeFileAtomically("/nonexistent-dir/x.json", "x");
            QFAIL("expected an error");
        } catch (const ddsm::Error& e) {
            QVERIFY(QString(e.what()).contains("/nonexistent-dir/x.json"));
        }
    }
    void readMissingFileNamesPath()
    {
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::readWholeFile("/no/such/file"));
    }
};

QTEST_APPLESS_MAIN(TestBase)
#include "test_base.moc"
