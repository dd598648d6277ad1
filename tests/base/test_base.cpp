#include "base/atomic_file.h"
#include "base/error.h"
#include "base/input_file.h"
#include "base/json_fields.h"
#include "base/option_value.h"
#include "base/sha256.h"

#include <cmath>
#include <functional>
#include <limits>

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
        // FIPS 180-2's million 'a's, as a file of several read buffers.
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.bin").toStdString();
        ddsm::writeFileAtomically(path, std::string(1000000, 'a'));
        QCOMPARE(QString::fromStdString(ddsm::sha256OfFile(path)),
                 QString("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
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

    // --- checked JSON fields --------------------------------------------------

    void jsonFieldsReadWhatWasWritten()
    {
        const ddsm::JsonFields in("a.json");
        const auto doc = ddsm::parseJson(
            R"({"n": 3, "whole": 3.0, "big": 18446744073709551615, "x": 0.25, "s": "é", "b": true,
                "list": [1, 2], "rows": [[0.5], []]})",
            "a.json");
        QCOMPARE(in.get<int>(doc, "", "n"), 3);
        QCOMPARE(in.get<int64_t>(doc, "", "whole"), int64_t(3));  // JSON does not tell 3 from 3.0
        QCOMPARE(in.get<uint64_t>(doc, "", "big"), uint64_t(18446744073709551615ull));
        QCOMPARE(in.get<double>(doc, "", "n"), 3.0);
        QCOMPARE(in.get<double>(doc, "", "x"), 0.25);
        QCOMPARE(in.get<std::string>(doc, "", "s"), std::string("é"));
        QCOMPARE(in.get<bool>(doc, "", "b"), true);
        QCOMPARE(in.get<std::vector<int>>(doc, "", "list"), (std::vector<int>{1, 2}));
        QCOMPARE(in.get<std::vector<std::vector<double>>>(doc, "", "rows"),
                 (std::vector<std::vector<double>>{{0.5}, {}}));
        QCOMPARE(in.getOr(doc, "", "absent", 7), 7);
        // Built in memory, a non-negative number may be stored signed.
        QCOMPARE(in.as<uint64_t>(nlohmann::json(int64_t(5)), "m"), uint64_t(5));
        QCOMPARE(in.as<int>(nlohmann::json(-2147483648.0), "m"), -2147483647 - 1);
    }

    void jsonFieldsNameFileFieldAndExpectation_data()
    {
        QTest::addColumn<QString>("document");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing") << "{}" << R"(a.json: field "cfg.v" is missing)";
        QTest::newRow("string for int") << R"({"v": "5"})" << R"(a.json: field "cfg.v" is the string "5", expected an integer)";
        QTest::newRow("fraction") << R"({"v": 2.5})" << R"(a.json: field "cfg.v" is 2.5, expected an integer)";
        QTest::newRow("beyond int") << R"({"v": 1e42})"
                                    << R"(a.json: field "cfg.v" is 1e+42, expected an integer in -2147483648..2147483647)";
        QTest::newRow("just beyond int") << R"({"v": 2147483648})"
                                         << R"(a.json: field "cfg.v" is 2147483648, expected an integer in -2147483648..2147483647)";
        QTest::newRow("null") << R"({"v": null})" << R"(a.json: field "cfg.v" is null, expected an integer)";
        QTest::newRow("bad element") << R"({"list": [1, true]})"
                                     << R"(a.json: field "cfg.list[1]" is true, expected an integer)";
        QTest::newRow("not a list") << R"({"list": {"0": 1}})"
                                    << R"(a.json: field "cfg.list" is an object, expected an array)";
        QTest::newRow("negative seed") << R"({"seed": -1})"
                                       << R"(a.json: field "cfg.seed" is -1, expected a non-negative integer)";
        QTest::newRow("number for string") << R"({"name": 7})" << R"(a.json: field "cfg.name" is 7, expected a string)";
        QTest::newRow("string for number") << R"({"x": "0.5"})"
                                           << R"(a.json: field "cfg.x" is the string "0.5", expected a number)";
        QTest::newRow("number for bool") << R"({"b": 1})" << R"(a.json: field "cfg.b" is 1, expected true or false)";
    }
    void jsonFieldsNameFileFieldAndExpectation()
    {
        QFETCH(QString, document);
        QFETCH(QString, message);
        const ddsm::JsonFields in("a.json");
        const auto doc = ddsm::parseJson(document.toStdString(), "a.json");
        try {
            if (doc.contains("list"))
                in.get<std::vector<int>>(doc, "cfg.", "list");
            else if (doc.contains("seed"))
                in.get<uint64_t>(doc, "cfg.", "seed");
            else if (doc.contains("name"))
                in.get<std::string>(doc, "cfg.", "name");
            else if (doc.contains("x"))
                in.get<double>(doc, "cfg.", "x");
            else if (doc.contains("b"))
                in.get<bool>(doc, "cfg.", "b");
            else
                in.get<int>(doc, "cfg.", "v");
            QFAIL("accepted");
        } catch (const ddsm::Error& e) {
            QCOMPARE(QString(e.what()), message);
        }
    }

    void jsonFieldsCheckRanges()
    {
        const ddsm::JsonFields in("a.json");
        try {
            in.integerIn(nlohmann::json(11), "steps", 1, 10, "1..T = 1..10");
            QFAIL("accepted");
        } catch (const ddsm::Error& e) {
            QCOMPARE(QString(e.what()), QString(R"(a.json: field "steps" is 11, expected 1..T = 1..10)"));
        }
        QCOMPARE(in.integerIn(nlohmann::json(10.0), "steps", 1, 10, "1..10"), 10LL);
        try {
            in.integerIn(nlohmann::json(1e42), "T", 1, 1000, "1..1000");
            QFAIL("accepted");
        } catch (const ddsm::Error& e) {
            QCOMPARE(QString(e.what()), QString(R"(a.json: field "T" is 1e+42, expected 1..1000)"));
        }
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, in.as<int64_t>(nlohmann::json(9223372036854775808.0), "v"));
        QCOMPARE(in.as<int64_t>(nlohmann::json(-9223372036854775808.0), "v"), std::numeric_limits<int64_t>::min());
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, in.as<uint8_t>(nlohmann::json(256), "v"));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, in.as<double>(nlohmann::json(std::nan("")), "v"));
    }

    void jsonSyntaxErrorsNameLineAndColumn()
    {
        try {
            ddsm::parseJson("{\n  \"a\": 1\n  \"b\": 2\n}", "c.json");
            QFAIL("accepted");
        } catch (const ddsm::Error& e) {
            // The position is the end of the offending token, "b" on line 3.
            QVERIFY2(QString(e.what()).startsWith("c.json:3:5: malformed JSON: "), e.what());
        }
    }
    void optionValuesReadWholeNumbersOnly()
    {
        QCOMPARE(ddsm::parseIntegerOption("steps", "-42"), int64_t(-42));
        QCOMPARE(ddsm::parseIntegerOption("steps", "9223372036854775807"), std::numeric_limits<int64_t>::max());
        QCOMPARE(ddsm::parseSeedOption("seed", "7"), uint64_t(7));
        QCOMPARE(ddsm::parseNumberOption("lr", "3e-4"), 3e-4);
        const auto message = [](const std::function<void()>& read) {
            try {
                read();
            } catch (const ddsm::Error& e) {
                return QString(e.what());
            }
            return QString("accepted");
        };
        QCOMPARE(message([] { ddsm::parseIntegerOption("steps", "4x"); }),
                 QString(R"(option --steps expects an integer, got "4x")"));
        QCOMPARE(message([] { ddsm::parseIntegerOption("steps", "9223372036854775808"); }),
                 QString(R"(option --steps expects an integer, got "9223372036854775808")"));
        QCOMPARE(message([] { ddsm::parseIntegerOption("steps", ""); }),
                 QString(R"(option --steps expects an integer, got "")"));
        QCOMPARE(message([] { ddsm::parseSeedOption("seed", "-1"); }), QString("option --seed must not be negative"));
        QCOMPARE(message([] { ddsm::parseNumberOption("lr", "inf"); }),
                 QString(R"(option --lr expects a number, got "inf")"));
        QCOMPARE(message([] { ddsm::parseNumberOption("lr", "1e999"); }),
                 QString(R"(option --lr expects a number, got "1e999")"));
        QCOMPARE(message([] { ddsm::parseNumberOption("lr", "0.1 "); }),
                 QString(R"(option --lr expects a number, got "0.1 ")"));
    }
};

QTEST_APPLESS_MAIN(TestBase)
#include "test_base.moc"
