#include "base/atomic_file.h"
#include "base/error.h"
#include "base/input_file.h"
#include "base/sha256.h"

#include <functional>

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
    void sha256MatchesKnownVectors()
    {
        // FIPS 180-2 examples.
        QCOMPARE(QString::fromStdString(ddsm::sha256Hex("abc")),
                 QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(QString::fromStdString(ddsm::sha256Hex("")),
                 QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(QString::fromStdString(ddsm::sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                 QString("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // A file of more than one read buffer agrees with hashing its bytes.
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.bin").toStdString();
        std::string bytes(200000, 'x');
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = char(i * 31 % 251);
        ddsm::writeFileAtomically(path, bytes);
        QCOMPARE(ddsm::sha256OfFile(path), ddsm::sha256Hex(bytes));
    }
    void readMissingFileNamesPath()
    {
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::readWholeFile("/no/such/file"));
    }
    void folderIsNamedAsAFolder()
    {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString();
        for (const auto& read : {std::function<void()>([&] { ddsm::readWholeFile(path); }),
                                 std::function<void()>([&] { ddsm::sha256OfFile(path); }),
                                 std::function<void()>([&] { ddsm::rejectFolder(path); })}) {
            try {
                read();
                QFAIL("a folder was read as a file");
            } catch (const ddsm::Error& e) {
                QCOMPARE(QString(e.what()), QString::fromStdString(path + " is a folder, not a file"));
            }
        }
        ddsm::rejectFolder(path + "/missing");  // not a folder: left to the reader
    }
};

QTEST_APPLESS_MAIN(TestBase)
#include "test_base.moc"
