// Tests of the io module against independent truth: files written by a
// stand-alone Python implementation of the safetensors layout, Python readers
// of our files (standard library only), OpenCV's own decoders, zlib's CRC.
#include "base/atomic_file.h"
#include "base/error.h"
#include "io/image_grid.h"
#include "io/png_text.h"
#include "io/safetensors.h"
#include "io/video.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <zlib.h>

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

using json = nlohmann::json;

namespace {

const QString kDataDir = QStringLiteral(DDSM_SOURCE_DIR "/tests/io/data");

QString python3() { return QStandardPaths::findExecutable("python3"); }

// Runs a script from tests/io/data and returns its standard output; fails the
// test (through the returned flag) if it does not exit cleanly.
bool runPython(const QString& script, const QStringList& arguments, QByteArray& output,
               QString& problem)
{
    QProcess process;
    process.start(python3(), QStringList{kDataDir + "/" + script} + arguments);
    if (!process.waitForFinished(60000)) {
        problem = "python3 did not finish: " + process.errorString();
        return false;
    }
    output = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        problem = "python3 failed: " + QString::fromUtf8(process.readAllStandardError());
        return false;
    }
    return true;
}

std::string littleEndian64(uint64_t value)
{
    std::string out;
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    return out;
}

// A safetensors file from a raw header text and buffer; `length` overrides N.
QByteArray safetensorsBytes(const std::string& header, const std::string& buffer = {},
                            int64_t length = -1)
{
    const uint64_t n = length >= 0 ? uint64_t(length) : header.size();
    const std::string bytes = littleEndian64(n) + header + buffer;
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

std::string toStd(const QByteArray& bytes) { return std::string(bytes.constData(), bytes.size()); }

std::string pngChunk(const std::string& type, const std::string& data)
{
    std::string out;
    const auto appendBigEndian = [&out](uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((v >> shift) & 0xff));
    };
    appendBigEndian(uint32_t(data.size()));
    out += type + data;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + 4), uInt(4 + data.size()));
    appendBigEndian(uint32_t(crc));
    return out;
}

std::string encodePng(const cv::Mat& image)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", image, bytes);
    return std::string(bytes.begin(), bytes.end());
}

cv::Mat decodePng(const std::string& bytes)
{
    return cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_UNCHANGED);
}

bool sameImage(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// One tensor of every supported dtype, with extremes where they matter.
ddsm::NamedTensors tensorsOfEveryDtype()
{
    const auto i64 = std::numeric_limits<int64_t>::min();
    return {
        {"f32", at::randn({3, 4, 5})},
        {"f64", at::randn({7}, at::kDouble)},
        {"f16", at::randn({2, 3}).to(at::kHalf)},
        {"bf16", at::randn({4, 2}).to(at::kBFloat16)},
        {"i64", at::tensor({i64, int64_t(-1), int64_t(0), std::numeric_limits<int64_t>::max()})},
        {"i32", at::randint(-100000, 100000, {2, 5}, at::kInt)},
        {"i16", at::randint(-32768, 32767, {6}, at::kShort)},
        {"i8", at::arange(-128, 128).to(at::kChar)},
        {"u8", at::arange(0, 256).to(at::kByte).reshape({16, 16})},
        {"bool", at::randn({9}) > 0},
        {"transposed", at::randn({3, 4}).t()},  // not contiguous: saved in logical order
        {"empty", at::empty({0, 3})},
        {"scalar", at::scalar_tensor(3.5)},
    };
}

// Compares every element of `tensor` with a flat JSON list printed by Python.
bool matchesValues(const at::Tensor& tensor, const json& values, QString& problem)
{
    const at::Tensor flat = tensor.reshape({-1});
    if (values.size() != size_t(flat.numel())) {
        problem = QString("%1 values, expected %2").arg(values.size()).arg(flat.numel());
        return false;
    }
    for (int64_t i = 0; i < flat.numel(); ++i) {
        bool same = false;
        if (tensor.scalar_type() == at::kBool)
            same = values[i].get<bool>() == flat[i].item<bool>();
        else if (at::isIntegralType(tensor.scalar_type(), false))
            same = values[i].get<int64_t>() == flat[i].item<int64_t>();
        else
            same = values[i].get<double>() == flat[i].item<double>();
        if (!same) {
            problem = QString("element %1: python read %2").arg(i).arg(
                QString::fromStdString(values[i].dump()));
            return false;
        }
    }
    return true;
}

}  // namespace

class TestIo final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::manual_seed(7); }

    // --- safetensors ---------------------------------------------------------

    void safetensorsRoundTripEveryDtype()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("every.safetensors").toStdString();
        const ddsm::NamedTensors saved = tensorsOfEveryDtype();
        const std::map<std::string, std::string> metadata{
            {"architecture", R"({"kind": "unet", "channels": [64, 128]})"},
            {"note", "δ-schedule, ünïcode"},
            {"empty", ""}};
        ddsm::saveSafetensors(path, saved, metadata);

        const ddsm::SafetensorsFile loaded = ddsm::loadSafetensors(path);
        QCOMPARE(loaded.metadata, metadata);
        QCOMPARE(loaded.tensors.size(), saved.size());
        for (size_t i = 0; i < saved.size(); ++i) {
            const auto& [name, expected] = saved[i];
            const auto& [loadedName, actual] = loaded.tensors[i];  // saved order = byte order
            QCOMPARE(loadedName, name);
            QVERIFY2(actual.scalar_type() == expected.scalar_type(), name.c_str());
            QVERIFY2(actual.sizes() == expected.sizes(), name.c_str());
            QVERIFY2(at::equal(actual, expected), name.c_str());
        }
        QCOMPARE(ddsm::readSafetensorsMetadata(path), metadata);
    }

    void safetensorsLayoutIsAlignedAndTight()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("layout.safetensors").toStdString();
        ddsm::saveSafetensors(path, {{"b", at::ones({3}, at::kByte)}, {"a", at::zeros({2}, at::kLong)}},
                              {});
        const std::string bytes = ddsm::readWholeFile(path);
        uint64_t n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(bytes[i]);
        QCOMPARE(n % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + n + 3 + 16));
        const json header = json::parse(bytes.substr(8, n));
        QVERIFY(!header.contains("__metadata__"));  // omitted when empty
        QCOMPARE(header["b"]["data_offsets"], json({0, 3}));
        QCOMPARE(header["a"]["data_offsets"], json({3, 19}));
        QCOMPARE(header["a"]["dtype"].get<std::string>(), std::string("I64"));
        QCOMPARE(header["a"]["shape"], json({2}));

        const ddsm::SafetensorsHeader info = ddsm::readSafetensorsHeader(path);
        QCOMPARE(info.entries.size(), size_t(2));
        QCOMPARE(info.entries[1].name, std::string("a"));
        QCOMPARE(info.entries[1].begin, uint64_t(3));
        QCOMPARE(info.entries[1].end, uint64_t(19));
        QCOMPARE(info.bufferBytes, uint64_t(19));
    }

    void safetensorsReadsGoldenFileFromPython()
    {
        // tests/io/data/golden.safetensors was made by make_golden_safetensors.py
        // (standard library only, the published layout written by hand).
        const ddsm::SafetensorsFile file =
            ddsm::loadSafetensors((kDataDir + "/golden.safetensors").toStdString());
        QCOMPARE(file.metadata.at("format"), std::string("pt"));
        QCOMPARE(file.metadata.at("architecture"), std::string(R"({"kind": "unet", "width": 64})"));

        const char* order[] = {"weight", "bias", "half", "brain", "steps", "ints",
                               "shorts", "bytes", "pixels", "mask", "empty", "scalar"};
        QCOMPARE(file.tensors.size(), std::size(order));
        for (size_t i = 0; i < file.tensors.size(); ++i)
            QCOMPARE(file.tensors[i].first, std::string(order[i]));
        auto get = [&](size_t i) { return file.tensors[i].second; };

        QVERIFY(at::equal(get(0), at::tensor({1.0f, -2.0f, 0.5f, 3.25f, -0.125f, 100.0f}).reshape({2, 3})));
        QVERIFY(at::equal(get(1), at::tensor({0.1, -1e300}, at::kDouble)));
        QVERIFY(at::equal(get(2), at::tensor({1.5f, -65504.0f, std::ldexp(1.0f, -14)}).to(at::kHalf)));
        QVERIFY(at::equal(get(3), at::tensor({1.5f, -3.0f}).to(at::kBFloat16)));
        QVERIFY(at::equal(get(4), at::tensor({std::numeric_limits<int64_t>::min(), int64_t(0),
                                              std::numeric_limits<int64_t>::max()})));
        QVERIFY(at::equal(get(5), at::tensor({-7, 2147483647, -2147483647 - 1, 42}, at::kInt).reshape({2, 2})));
        QVERIFY(at::equal(get(6), at::tensor({-32768, 1234}, at::kShort)));
        QVERIFY(at::equal(get(7), at::tensor({-128, 0, 127}, at::kChar)));
        QVERIFY(at::equal(get(8), at::tensor({0, 1, 128, 255}, at::kByte).reshape({1, 4})));
        QVERIFY(at::equal(get(9), at::tensor({1, 0, 1}, at::kByte).to(at::kBool)));
        QVERIFY(get(10).sizes() == at::IntArrayRef({0, 5}));
        QCOMPARE(get(11).dim(), int64_t(0));
        QCOMPARE(get(11).item<float>(), 7.0f);
    }

    void safetensorsGoldenFileMatchesItsScript()
    {
        if (python3().isEmpty())
            QSKIP("python3 is not on PATH: cannot regenerate the golden file");
        QTemporaryDir dir;
        const QString regenerated = dir.filePath("golden.safetensors");
        QByteArray output;
        QString problem;
        QVERIFY2(runPython("make_golden_safetensors.py", {regenerated}, output, problem),
                 qPrintable(problem));
        QCOMPARE(ddsm::readWholeFile(regenerated.toStdString()),
                 ddsm::readWholeFile((kDataDir + "/golden.safetensors").toStdString()));
    }

    void safetensorsReadableByIndependentPythonReader()
    {
        // The reader uses only struct and json: python3-numpy is not a build
        // dependency, and the standard library decodes every dtype exactly.
        if (python3().isEmpty())
            QSKIP("python3 is not on PATH: the independent reader cannot run");
        QTemporaryDir dir;
        const std::string path = dir.filePath("ours.safetensors").toStdString();
        const ddsm::NamedTensors saved = tensorsOfEveryDtype();
        ddsm::saveSafetensors(path, saved, {{"origin", "ddsm"}});

        QByteArray output;
        QString problem;
        QVERIFY2(runPython("read_safetensors.py", {QString::fromStdString(path)}, output, problem),
                 qPrintable(problem));
        const json read = json::parse(output.toStdString());
        QCOMPARE(read["metadata"], json({{"origin", "ddsm"}}));
        QCOMPARE(read["tensors"].size(), saved.size());
        const std::map<at::ScalarType, std::string> dtypeNames{
            {at::kFloat, "F32"}, {at::kDouble, "F64"}, {at::kHalf, "F16"}, {at::kBFloat16, "BF16"},
            {at::kLong, "I64"},  {at::kInt, "I32"},    {at::kShort, "I16"}, {at::kChar, "I8"},
            {at::kByte, "U8"},   {at::kBool, "BOOL"}};
        for (const auto& [name, tensor] : saved) {
            const json& entry = read["tensors"][name];
            QCOMPARE(entry["dtype"].get<std::string>(), dtypeNames.at(tensor.scalar_type()));
            QCOMPARE(entry["shape"].get<std::vector<int64_t>>(), tensor.sizes().vec());
            QVERIFY2(matchesValues(tensor, entry["values"], problem),
                     qPrintable(QString::fromStdString(name) + ": " + problem));
        }
    }

    void safetensorsRejectsCorruptFile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("headerFails");  // false: only loading the data detects it

        const std::string f32x2 = R"({"dtype":"F32","shape":[2],"data_offsets":)";
        const std::string zeros4(4, '\0'), zeros8(8, '\0'), zeros12(12, '\0');

        QTest::newRow("empty file") << QByteArray() << "file is empty" << true;
        QTest::newRow("shorter than length") << QByteArray(5, '\0') << "too short (5 bytes)" << true;
        QTest::newRow("header longer than file")
            << safetensorsBytes("{}", "", 1000) << "header length 1000 exceeds the file size (10 bytes)"
            << true;
        QTest::newRow("absurd header length")
            << safetensorsBytes("{}", "", int64_t(1) << 40) << "exceeds the limit of 100000000 bytes"
            << true;
        QTest::newRow("another kind of file") << QByteArray("step,seconds,learning_rate\n1,0.5,0.0002\n")
                                              << "not a safetensors file" << true;
        QTest::newRow("zero header length") << safetensorsBytes("", "", 0) << "header length 0 is too small"
                                            << true;
        QTest::newRow("invalid json") << safetensorsBytes(R"({"w": {"dtype": )") << "header is not valid JSON"
                                      << true;
        QTest::newRow("invalid utf-8") << safetensorsBytes("{\"w\xff\": {}}") << "header is not valid JSON"
                                       << true;
        QTest::newRow("header not an object") << safetensorsBytes("[1, 2]") << "header is not a JSON object"
                                              << true;
        QTest::newRow("entry not an object")
            << safetensorsBytes(R"({"w": 3})") << R"(tensor "w": entry is not a JSON object)" << true;
        QTest::newRow("missing dtype")
            << safetensorsBytes(R"({"w": {"shape": [1], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": missing string field "dtype")" << true;
        QTest::newRow("unknown dtype")
            << safetensorsBytes(R"({"w": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": unknown dtype "Q4")" << true;
        QTest::newRow("missing shape")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": missing array field "shape")" << true;
        QTest::newRow("negative shape")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": shape [-1,4] has a negative dimension)" << true;
        QTest::newRow("fractional shape")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": shape element 0 (2.5) is not a non-negative integer)" << true;
        QTest::newRow("overflowing shape")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 4611686018427387904], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": shape [4611686018427387904, 4611686018427387904] of F32 overflows)" << true;
        QTest::newRow("dimension beyond int64")
            << safetensorsBytes(R"({"w": {"dtype": "U8", "shape": [18446744073709551615], "data_offsets": [0, 4]}})", zeros4)
            << R"(tensor "w": shape element 0 (18446744073709551615) is too large)" << true;
        QTest::newRow("offsets not a pair")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", zeros4)
            << R"(tensor "w": "data_offsets" is not a pair of non-negative integers)" << true;
        QTest::newRow("negative offset")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}})", zeros4)
            << R"(tensor "w": "data_offsets" is not a pair of non-negative integers)" << true;
        QTest::newRow("offsets reversed")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})", zeros8)
            << R"(tensor "w": data_offsets [8, 4] end before they begin)" << true;
        QTest::newRow("offsets do not match shape")
            << safetensorsBytes(R"({"head.weight": {"dtype": "F32", "shape": [128, 3, 3, 3], "data_offsets": [0, 100]}})",
                                std::string(100, '\0'))
            << "model.safetensors: tensor \"head.weight\": data_offsets [0, 100] do not match shape "
               "[128, 3, 3, 3] of F32 (13824 bytes)"
            << true;
        QTest::newRow("offsets past the buffer")
            << safetensorsBytes(R"({"w": )" + f32x2 + "[0, 8]}}", zeros4)
            << R"(tensor "w": data_offsets [0, 8] run past the end of the data buffer (4 bytes): file truncated?)"
            << true;
        QTest::newRow("truncated data")
            << safetensorsBytes(R"({"a": )" + f32x2 + R"([0, 8]}, "b": )" + f32x2 + "[8, 16]}}", zeros12)
            << R"(tensor "b": data_offsets [8, 16] run past the end of the data buffer (12 bytes): file truncated?)"
            << true;
        QTest::newRow("overlapping tensors")
            << safetensorsBytes(R"({"a": )" + f32x2 + R"([0, 8]}, "b": )" + f32x2 + "[4, 12]}}", zeros12)
            << R"(tensor "b": data_offsets [4, 12] overlap tensor "a" [0, 8])" << true;
        QTest::newRow("same region twice")
            << safetensorsBytes(R"({"a": )" + f32x2 + R"([0, 8]}, "b": )" + f32x2 + "[0, 8]}}", zeros8)
            << R"(data_offsets [0, 8] overlap tensor)" << true;
        QTest::newRow("gap between tensors")
            << safetensorsBytes(R"({"a": )" + f32x2 + R"([0, 8]}, "b": )" + f32x2 + "[12, 20]}}",
                                std::string(20, '\0'))
            << R"(tensor "b": data_offsets [12, 20] leave a gap of 4 bytes after tensor "a")" << true;
        QTest::newRow("gap at the start")
            << safetensorsBytes(R"({"a": )" + f32x2 + "[4, 12]}}", zeros12)
            << R"(tensor "a": data_offsets [4, 12] leave a gap of 4 bytes after the header)" << true;
        QTest::newRow("bytes after the last tensor")
            << safetensorsBytes(R"({"a": )" + f32x2 + "[0, 8]}}", zeros12)
            << "4 unused bytes after the last tensor" << true;
        QTest::newRow("duplicate tensor name")
            << safetensorsBytes(R"({"w": )" + f32x2 + R"([0, 8]}, "w": )" + f32x2 + "[8, 16]}}",
                                std::string(16, '\0'))
            << R"(duplicate tensor name "w")" << true;
        QTest::newRow("duplicate field")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "dtype": "I32", "shape": [1], "data_offsets": [0, 4]}})", zeros4)
            << R"(entry "w": duplicate key "dtype")" << true;
        QTest::newRow("metadata not an object")
            << safetensorsBytes(R"({"__metadata__": ["a"]})") << R"("__metadata__" is not a JSON object)"
            << true;
        QTest::newRow("metadata value not a string")
            << safetensorsBytes(R"({"__metadata__": {"name": "x", "epochs": 3}})")
            << R"("__metadata__": value of "epochs" is not a string)" << true;
        QTest::newRow("bool byte neither 0 nor 1")
            << safetensorsBytes(R"({"m": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]}})",
                                std::string("\x01\x02", 2))
            << R"(tensor "m": BOOL value 2 at element 1 is neither 0 nor 1)" << false;
    }

    void safetensorsRejectsCorruptFile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QFETCH(bool, headerFails);
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.safetensors").toStdString();
        ddsm::writeFileAtomically(path, toStd(bytes));

        const auto check = [&](auto read) {
            try {
                read(path);
            } catch (const ddsm::Error& e) {
                const QString message = QString::fromUtf8(e.what());
                QVERIFY2(message.startsWith(QString::fromStdString(path) + ": "), qPrintable(message));
                QVERIFY2(message.contains(expected), qPrintable(message));
                return;
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString("not a ddsm::Error: ") + e.what()));
            }
            QFAIL("the file was accepted");
        };
        check([](const std::string& p) { ddsm::loadSafetensors(p); });
        if (headerFails)
            check([](const std::string& p) { ddsm::readSafetensorsMetadata(p); });
        else
            ddsm::readSafetensorsMetadata(path);  // the header alone is sound
    }

    void safetensorsMissingFileOrDirectoryIsAnError()
    {
        QTemporaryDir dir;
        for (const std::string& path : {dir.filePath("missing.safetensors").toStdString(),
                                       dir.path().toStdString()}) {
            try {
                ddsm::loadSafetensors(path);
                QFAIL("accepted");
            } catch (const ddsm::Error& e) {
                QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path)), e.what());
            }
        }
    }

    void safetensorsSaveRejectsBadInput()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.safetensors").toStdString();
        const auto expectError = [&](const ddsm::NamedTensors& tensors, const QString& expected) {
            try {
                ddsm::saveSafetensors(path, tensors, {});
            } catch (const ddsm::Error& e) {
                QVERIFY2(QString(e.what()).contains(expected), e.what());
                return;
            }
            QFAIL(qPrintable("accepted: " + expected));
        };
        expectError({{"w", at::ones({1})}, {"w", at::ones({1})}}, R"(duplicate tensor name "w")");
        expectError({{"__metadata__", at::ones({1})}}, R"("__metadata__" cannot be a tensor name)");
        expectError({{"", at::ones({1})}}, "empty tensor name");
        expectError({{"w", at::Tensor()}}, R"(tensor "w": tensor is undefined)");
        expectError({{"c", at::ones({2}, at::kComplexFloat)}}, R"(tensor "c": dtype ComplexFloat has no safetensors equivalent)");
        QVERIFY(!QFile::exists(QString::fromStdString(path)));  // nothing half-written
    }

    // --- PNG text chunks -----------------------------------------------------

    void pngTextRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("sample.png").toStdString();
        cv::Mat image(11, 17, CV_8UC3);
        cv::randu(image, 0, 256);
        const ddsm::PngText text{
            {ddsm::kPngSettingsKey, R"({"schedule": [999, 500, 0], "sampler": "ddim", "note": "café ✓"})"},
            {"Comment", "two words"},
            {"empty", ""}};
        ddsm::writePngWithText(path, image, text);

        QCOMPARE(ddsm::readPngText(path), text);
        QVERIFY(sameImage(cv::imread(path, cv::IMREAD_UNCHANGED), image));
        // The file still ends with the standard IEND chunk (its CRC is AE426082).
        const std::string bytes = ddsm::readWholeFile(path);
        QCOMPARE(bytes.substr(bytes.size() - 12), std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));
    }

    void pngTextKeepsSixteenBitImages()
    {
        cv::Mat image(5, 6, CV_16UC1);
        cv::randu(image, 0, 65536);
        const std::string png = ddsm::encodePngWithText(image, {{"k", "v"}});
        QVERIFY(sameImage(decodePng(png), image));
        QCOMPARE(ddsm::decodePngText(png), (ddsm::PngText{{"k", "v"}}));
    }

    void pngTextReadableByIndependentPythonReader()
    {
        if (python3().isEmpty())
            QSKIP("python3 is not on PATH: the independent reader cannot run");
        QTemporaryDir dir;
        const std::string path = dir.filePath("python.png").toStdString();
        cv::Mat image(4, 4, CV_8UC1, cv::Scalar(200));
        const ddsm::PngText text{{ddsm::kPngSettingsKey, R"({"steps": 10, "name": "ünï"})"},
                                 {"Software", "DDSM Studio"}};
        ddsm::writePngWithText(path, image, text);

        QByteArray output;
        QString problem;
        QVERIFY2(runPython("read_png_text.py", {QString::fromStdString(path)}, output, problem),
                 qPrintable(problem));
        const json read = json::parse(output.toStdString());
        QCOMPARE(read["text"].get<ddsm::PngText>(), text);
        const auto chunks = read["chunks"].get<std::vector<std::string>>();
        QCOMPARE(chunks.front(), std::string("IHDR"));
        QCOMPARE(chunks.size() >= 5, true);
        QCOMPARE(chunks[chunks.size() - 3], std::string("iTXt"));  // just before IEND
        QCOMPARE(chunks[chunks.size() - 2], std::string("iTXt"));
        QCOMPARE(chunks.back(), std::string("IEND"));
    }

    void pngTextReadsTextAndCompressedChunks()
    {
        // Chunks built here by hand, as other tools write them.
        const std::string plain = encodePng(cv::Mat(2, 2, CV_8UC1, cv::Scalar(0)));
        std::string compressed(64, '\0');
        uLongf compressedSize = compressed.size();
        const std::string message = "hello, zlib";
        compress(reinterpret_cast<Bytef*>(compressed.data()), &compressedSize,
                 reinterpret_cast<const Bytef*>(message.data()), message.size());
        compressed.resize(compressedSize);

        const size_t iend = plain.size() - 12;
        const std::string png = plain.substr(0, iend) +
                                pngChunk("tEXt", std::string("parameters\0caf\xe9", 15)) +
                                pngChunk("zTXt", std::string("zipped\0\0", 8) + compressed) +
                                pngChunk("iTXt", std::string("deflated\0\1\0fr\0traduit\0", 22) + compressed) +
                                plain.substr(iend);
        const ddsm::PngText text = ddsm::decodePngText(png);
        QCOMPARE(text.at("parameters"), std::string("café"));  // Latin-1 to UTF-8
        QCOMPARE(text.at("zipped"), message);
        QCOMPARE(text.at("deflated"), message);
    }

    void pngTextBeforeTheImageAndBrokenTextChunks()
    {
        // Text right after IHDR, where some tools put it, is read too.
        const std::string plain = encodePng(cv::Mat(2, 3, CV_8UC3, cv::Scalar(4, 5, 6)));
        const size_t afterHeader = 8 + 12 + 13;
        const std::string early = plain.substr(0, afterHeader) + pngChunk("tEXt", std::string("early\0bird", 10)) +
                                  plain.substr(afterHeader);
        QCOMPARE(ddsm::decodePngText(early), (ddsm::PngText{{"early", "bird"}}));
        // A later chunk with the same key wins.
        const std::string twice = ddsm::insertPngText(early, {{"early", "worm"}});
        QCOMPARE(ddsm::decodePngText(twice), (ddsm::PngText{{"early", "worm"}}));

        const auto errorOf = [&](const std::string& type, const std::string& data) -> QString {
            const size_t iend = plain.size() - 12;
            try {
                ddsm::decodePngText(plain.substr(0, iend) + pngChunk(type, data) + plain.substr(iend), "t.png");
            } catch (const ddsm::Error& e) {
                return e.what();
            }
            return "accepted";
        };
        // Settings in a damaged text chunk must not silently vanish: libpng
        // would only warn and drop these.
        QString message = errorOf("zTXt", std::string("k\0\7xx", 5));  // compression method 7
        QVERIFY2(message.startsWith("t.png: ") && message.contains("zTXt"), qPrintable(message));
        message = errorOf("zTXt", std::string("k\0\0not zlib", 12));
        QVERIFY2(message.startsWith("t.png: ") && message.contains("zTXt"), qPrintable(message));
        message = errorOf("tEXt", std::string("\0value", 6));  // empty keyword
        QVERIFY2(message.contains("keyword length 0 is outside 1-79"), qPrintable(message));
        message = errorOf("iTXt", std::string("k\0\0\0\0\0\xff", 7));
        QVERIFY2(message.contains(R"(text of "k" is not valid UTF-8)"), qPrintable(message));
    }

    void pngTextRejectsCorruptCrc()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("corrupt.png").toStdString();
        std::string png = ddsm::encodePngWithText(cv::Mat(3, 3, CV_8UC3, cv::Scalar(1, 2, 3)),
                                                  {{"key", "value"}});
        const size_t textAt = png.find("iTXt");
        QVERIFY(textAt != std::string::npos);
        png[textAt + 4] ^= 0x20;  // "key" -> "Key": the stored CRC no longer matches
        ddsm::writeFileAtomically(path, png);
        try {
            ddsm::readPngText(path);
            QFAIL("a corrupt CRC was accepted");
        } catch (const ddsm::Error& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path) + ": "), e.what());
            QVERIFY2(QString(e.what()).contains(R"(CRC mismatch in chunk "iTXt")"), e.what());
        }

        std::string image = encodePng(cv::Mat(3, 3, CV_8UC3, cv::Scalar(1, 2, 3)));
        image[image.find("IDAT") + 6] ^= 0x01;
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::decodePngText(image));
    }

    void pngTextRejectsNonPngAndTruncated()
    {
        const std::string png = ddsm::encodePngWithText(cv::Mat(3, 3, CV_8UC1, cv::Scalar(9)), {{"k", "v"}});
        const auto errorOf = [](const std::string& bytes) -> QString {
            try {
                ddsm::decodePngText(bytes, "x.png");
            } catch (const ddsm::Error& e) {
                return e.what();
            }
            return "accepted";
        };
        QCOMPARE(errorOf(""), QString("x.png: file is empty, not a PNG"));
        QCOMPARE(errorOf("GIF89a and more bytes"), QString("x.png: not a PNG file (bad signature)"));
        QVERIFY2(errorOf(png.substr(0, png.size() - 20)).contains("x.png: truncated"),
                 qPrintable(errorOf(png.substr(0, png.size() - 20))));
        QVERIFY(errorOf(png.substr(0, png.size() - 12)).contains("no IEND chunk"));
        QVERIFY(errorOf(png.substr(0, 8)).contains("truncated at offset 8"));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::readPngText("/no/such/image.png"));
    }

    void pngTextRejectsInvalidKeysAndValues()
    {
        const cv::Mat image(2, 2, CV_8UC1, cv::Scalar(0));
        for (const std::string& key : {std::string(), std::string(80, 'k'), std::string(" lead"),
                                      std::string("trail "), std::string("two  spaces"),
                                      std::string("tab\there"), std::string("ünï")})
            QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::encodePngWithText(image, {{key, "v"}}));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::encodePngWithText(image, {{"k", "\xff\xfe"}}));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::encodePngWithText(cv::Mat(), {}));
        ddsm::encodePngWithText(image, {{std::string(79, 'k'), "v"}, {"one space", "v"}});
    }

    // --- image grids ---------------------------------------------------------

    void gridPlacesTilesWithPadding()
    {
        // Three 2x2 RGB images: image i has red = +1, green = -1, blue = i-1
        // (-1, 0, +1), except pixel (1, 0) whose red is 0.
        at::Tensor batch = at::empty({3, 3, 2, 2});
        for (int i = 0; i < 3; ++i) {
            batch[i][0].fill_(1.0);
            batch[i][1].fill_(-1.0);
            batch[i][2].fill_(double(i - 1));
            batch[i][0][1][0] = 0.0;
        }
        const cv::Mat grid = ddsm::makeImageGrid(batch);  // 2 columns, 2 rows
        QCOMPARE(grid.type(), CV_8UC3);
        QCOMPARE(grid.cols, 2 * (2 + 2) + 2);
        QCOMPARE(grid.rows, 2 * (2 + 2) + 2);
        using P = cv::Vec3b;  // B, G, R
        QCOMPARE(grid.at<P>(2, 2), P(0, 0, 255));      // image 0, top-left
        QCOMPARE(grid.at<P>(3, 2), P(0, 0, 128));      // image 0, pixel (1, 0): red 0 -> 128
        QCOMPARE(grid.at<P>(2, 6), P(128, 0, 255));    // image 1, top-left
        QCOMPARE(grid.at<P>(7, 3), P(255, 0, 255));    // image 2, bottom-right
        QCOMPARE(grid.at<P>(7, 2), P(255, 0, 128));    // image 2, pixel (1, 0)
        // Padding rows/columns 0-1, 4-5, 8-9, and the empty fourth cell.
        const int black[][2] = {{0, 0}, {1, 5}, {4, 4}, {5, 2}, {2, 4}, {2, 5}, {3, 8},
                                {3, 9}, {9, 2}, {9, 9}, {6, 6}, {7, 7}};
        for (const auto& [row, col] : black)
            QVERIFY2(grid.at<P>(row, col) == P(0, 0, 0), qPrintable(QString("(%1, %2)").arg(row).arg(col)));
    }

    void gridClampsUpscalesAndHandlesGrey()
    {
        at::Tensor batch = at::full({2, 1, 2, 3}, -1.0);
        batch[0][0][0][0] = 5.0;   // clamped to 1
        batch[1][0][1][2] = std::nan("");  // shown as -1
        batch[1][0][0][1] = 0.5;   // (0.5 + 1) * 127.5 = 191.25 -> 191
        ddsm::GridOptions options;
        options.columns = 3;  // more columns than images: one row of two
        options.upscale = 3;
        options.padding = 1;
        options.padValue = 77;
        const cv::Mat grid = ddsm::makeImageGrid(batch, options);
        QCOMPARE(grid.type(), CV_8UC1);
        QCOMPARE(grid.rows, 1 + 2 * 3 + 1);
        QCOMPARE(grid.cols, 2 * (3 * 3 + 1) + 1);
        QCOMPARE(int(grid.at<uchar>(0, 0)), 77);
        for (int y = 1; y < 4; ++y)
            for (int x = 1; x < 4; ++x)
                QCOMPARE(int(grid.at<uchar>(y, x)), 255);  // one source pixel -> a 3x3 block
        QCOMPARE(int(grid.at<uchar>(1, 4)), 0);
        QCOMPARE(int(grid.at<uchar>(1, 10)), 77);  // padding between the tiles
        const int left = 1 + 9 + 1;
        QCOMPARE(int(grid.at<uchar>(1, left + 3)), 191);
        QCOMPARE(int(grid.at<uchar>(1 + 5, left + 8)), 0);  // the NaN pixel

        const cv::Mat single = ddsm::tensorToImage(batch[1], 2);
        QCOMPARE(single.rows, 4);
        QCOMPARE(single.cols, 6);
        QCOMPARE(int(single.at<uchar>(1, 3)), 191);
    }

    void gridRejectsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::makeImageGrid(at::zeros({2, 2, 4, 4})));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::makeImageGrid(at::zeros({3, 4, 4})));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::makeImageGrid(at::zeros({0, 3, 4, 4})));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::makeImageGrid(at::zeros({1, 3, 4, 4}, at::kByte)));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::makeImageGrid(at::zeros({1, 3, 4, 4}), {0, 2, 0, 0}));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::tensorToImage(at::zeros({2, 3, 4, 4})));
    }

    // --- video and frame sequences ------------------------------------------

    void mp4RoundTripThroughVideoCapture()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("trajectory.mp4").toStdString();
        std::vector<cv::Mat> frames;
        for (int i = 0; i < 12; ++i)  // odd size on purpose
            frames.emplace_back(21, 33, CV_8UC3, cv::Scalar(20 * i, 100, 255 - 20 * i));
        try {
            ddsm::writeMp4(path, frames, 8.0);
        } catch (const ddsm::Error& e) {
            if (QString(e.what()).contains("cannot open"))
                QSKIP(qPrintable(QString("OpenCV cannot encode 'mp4v' here: ") + e.what()));
            throw;
        }
        QVERIFY(QFileInfo(QString::fromStdString(path)).size() > 0);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temporary left

        cv::VideoCapture capture(path);
        QVERIFY(capture.isOpened());
        std::vector<cv::Mat> decoded;
        for (cv::Mat frame; capture.read(frame);)
            decoded.push_back(frame.clone());
        QCOMPARE(decoded.size(), frames.size());
        QCOMPARE(decoded.front().cols, 34);  // padded to even sides, not cropped
        QCOMPARE(decoded.front().rows, 22);
        // Lossy, but flat colours survive closely.
        const cv::Scalar mean = cv::mean(decoded[5](cv::Rect(4, 4, 24, 12)));
        for (int c = 0; c < 3; ++c)
            QVERIFY2(std::abs(mean[c] - cv::Scalar(100, 100, 155)[c]) < 12,
                     qPrintable(QString("channel %1 mean %2").arg(c).arg(mean[c])));
    }

    void mp4RejectsBadFrames()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.mp4").toStdString();
        const cv::Mat frame(8, 8, CV_8UC3, cv::Scalar(0));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::writeMp4(path, {}, 10));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::writeMp4(path, {frame, cv::Mat(8, 10, CV_8UC3)}, 10));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::writeMp4(path, {cv::Mat(8, 8, CV_32FC3)}, 10));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, ddsm::writeMp4(path, {frame}, 0));
    }

    void pngFramesAreNumberedAndDecodable()
    {
        QTemporaryDir dir;
        const QString framesDir = dir.filePath("frames/nested");
        std::vector<cv::Mat> frames;
        for (int i = 0; i < 3; ++i)
            frames.emplace_back(5, 7, CV_8UC3, cv::Scalar(i, 2 * i, 3 * i));
        const std::vector<std::string> paths = ddsm::writePngFrames(framesDir.toStdString(), frames);
        QCOMPARE(paths.size(), size_t(3));
        QCOMPARE(QDir(framesDir).entryList(QDir::Files),
                 QStringList({"frame_00000.png", "frame_00001.png", "frame_00002.png"}));
        for (size_t i = 0; i < frames.size(); ++i)
            QVERIFY(sameImage(cv::imread(paths[i], cv::IMREAD_UNCHANGED), frames[i]));
    }
    // A folder where a file belongs is called a folder, not "cannot read the header".
    void foldersAreNamedAsFolders()
    {
        QTemporaryDir dir;
        for (const char* name : {"model.safetensors", "grid.png"})
            QVERIFY(QDir(dir.path()).mkdir(name));
        const auto expectFolderError = [](const std::function<void()>& read, const std::string& path) {
            try {
                read();
            } catch (const ddsm::Error& e) {
                return std::string(e.what()) == path + " is a folder, not a file";
            }
            return false;
        };
        const std::string model = dir.filePath("model.safetensors").toStdString();
        const std::string png = dir.filePath("grid.png").toStdString();
        QVERIFY(expectFolderError([&] { ddsm::loadSafetensors(model); }, model));
        QVERIFY(expectFolderError([&] { ddsm::readPngText(png); }, png));
    }
};

QTEST_APPLESS_MAIN(TestIo)
#include "test_io.moc"
