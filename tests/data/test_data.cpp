#include "base/error.h"
#include "data/batch_sampler.h"
#include "data/dataset_spec.h"
#include "data/fashion_mnist.h"
#include "data/idx_file.h"
#include "data/image_folder.h"

#include <ATen/ATen.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

namespace {

// The IDX layout written out by hand, independently of the reader.
QByteArray idxBytes(uint32_t magic, const std::vector<uint32_t>& dims, const QByteArray& data)
{
    QByteArray bytes;
    auto appendBigEndian = [&bytes](uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.append(char((v >> shift) & 0xFF));
    };
    appendBigEndian(magic);
    for (const uint32_t d : dims)
        appendBigEndian(d);
    return bytes + data;
}

void writeRaw(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

void writeGzip(const QString& path, const QByteArray& bytes)
{
    gzFile file = gzopen(path.toLocal8Bit().constData(), "wb");
    QVERIFY(file);
    QCOMPARE(gzwrite(file, bytes.constData(), unsigned(bytes.size())), int(bytes.size()));
    QCOMPARE(gzclose(file), Z_OK);
}

void writeFile(const QString& path, const QByteArray& bytes, bool gzip)
{
    gzip ? writeGzip(path, bytes) : writeRaw(path, bytes);
}

// Three 2x3 images covering the ends of the byte range, labels 7, 0, 9.
const QByteArray kPixels("\x00\xFF\x01\x7F\x80\xFE"
                         "\x0A\x14\x1E\x28\x32\x3C"
                         "\xFF\xFF\xFF\x00\x00\x00",
                         18);
const QByteArray kLabels("\x07\x00\x09", 3);

QByteArray tinyImagesFile(int count = 3)
{
    return idxBytes(ddsm::kIdxImagesMagic, {uint32_t(count), 2, 3}, kPixels.left(count * 6));
}
QByteArray tinyLabelsFile(int count = 3)
{
    return idxBytes(ddsm::kIdxLabelsMagic, {uint32_t(count)}, kLabels.left(count));
}

// A folder laid out like Debian's Fashion-MNIST copy, holding `count` images
// per split.
void writeTinyFashionMnist(const QString& dir, int trainCount, int testCount)
{
    QVERIFY(QDir().mkpath(dir));
    writeGzip(dir + "/train-images-idx3-ubyte.gz", tinyImagesFile(trainCount));
    writeGzip(dir + "/train-labels-idx1-ubyte.gz", tinyLabelsFile(trainCount));
    writeGzip(dir + "/t10k-images-idx3-ubyte.gz", tinyImagesFile(testCount));
    writeGzip(dir + "/t10k-labels-idx1-ubyte.gz", tinyLabelsFile(testCount));
}

template <typename Action>
QString errorMessage(Action&& action)
{
    try {
        action();
    } catch (const ddsm::Error& e) {
        return QString::fromStdString(e.what());
    }
    return "(no ddsm::Error thrown)";
}

#define VERIFY_MENTIONS(message, text) \
    QVERIFY2((message).contains(text), qPrintable("missing \"" + QString(text) + "\" in: " + (message)))

float scaled(int byte) { return static_cast<float>(byte / 127.5 - 1.0); }

// cv::Scalar is in OpenCV's BGR order.
cv::Scalar rgb(int r, int g, int b) { return cv::Scalar(b, g, r); }

void writeImage(const QString& path, const cv::Mat& image)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).path()));
    QVERIFY(cv::imwrite(path.toStdString(), image));
}

cv::Mat uniformImage(int width, int height, const cv::Scalar& colour)
{
    return cv::Mat(height, width, CV_8UC3, colour);
}

std::vector<int64_t> toVector(const at::Tensor& t)
{
    const at::Tensor c = t.contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

}  // namespace

class TestData final : public QObject {
    Q_OBJECT
private slots:
    // ---- IDX files ----

    void idxRoundTripKeepsEveryByte_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }
    void idxRoundTripKeepsEveryByte()
    {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        const QString images = dir.filePath("images.idx"), labels = dir.filePath("labels.idx");
        writeFile(images, tinyImagesFile(), gzip);
        writeFile(labels, tinyLabelsFile(), gzip);

        const ddsm::IdxLabelledImages idx =
            ddsm::readIdxLabelledImages(images.toStdString(), labels.toStdString());
        QCOMPARE(idx.images.count, int64_t(3));
        QCOMPARE(idx.images.rows, int64_t(2));
        QCOMPARE(idx.images.cols, int64_t(3));
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(idx.images.pixels.data()),
                            int(idx.images.pixels.size())),
                 kPixels);
        QCOMPARE(idx.labels.labels, (std::vector<uint8_t>{7, 0, 9}));
    }

    void fashionMnistScalesBytesToPlusMinusOne()
    {
        QTemporaryDir dir;
        writeTinyFashionMnist(dir.path(), 3, 1);
        const ddsm::ImageDataset data = ddsm::loadFashionMnist(dir.path().toStdString());

        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{3, 1, 2, 3}));
        QCOMPARE(data.images.scalar_type(), at::kFloat);
        const auto pixels = data.images.accessor<float, 4>();
        QCOMPARE(pixels[0][0][0][0], -1.0f);  // byte 0
        QCOMPARE(pixels[0][0][0][1], 1.0f);   // byte 255
        for (int n = 0; n < 3; ++n)
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 3; ++x)
                    QCOMPARE(pixels[n][0][y][x], scaled(uint8_t(kPixels[n * 6 + y * 3 + x])));
        QCOMPARE(data.labels.scalar_type(), at::kLong);
        QCOMPARE(toVector(data.labels), (std::vector<int64_t>{7, 0, 9}));
        QCOMPARE(data.class_names.at(9), std::string("Ankle boot"));
        VERIFY_MENTIONS(QString::fromStdString(data.description), "Fashion-MNIST train, 3 images 1x2x3");
    }

    void fashionMnistLimitKeepsTheFirstImages()
    {
        QTemporaryDir dir;
        writeTinyFashionMnist(dir.path(), 3, 3);
        const ddsm::ImageDataset data =
            ddsm::loadFashionMnist(dir.path().toStdString(), ddsm::FashionMnistSplit::Test, 2);
        QCOMPARE(data.images.size(0), int64_t(2));
        QCOMPARE(toVector(data.labels), (std::vector<int64_t>{7, 0}));
        QCOMPARE(data.images[1][0][0][0].item<float>(), scaled(0x0A));
        VERIFY_MENTIONS(QString::fromStdString(data.description), "Fashion-MNIST test, 2 of 3 images");
    }

    void fashionMnistReadsUncompressedFiles()
    {
        QTemporaryDir dir;
        writeRaw(dir.filePath("train-images-idx3-ubyte"), tinyImagesFile());
        writeRaw(dir.filePath("train-labels-idx1-ubyte"), tinyLabelsFile());
        QCOMPARE(ddsm::loadFashionMnist(dir.path().toStdString()).images.size(0), int64_t(3));
    }

    void wrongMagicNamesBoth()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("labels-not-images.gz");
        writeGzip(path, tinyLabelsFile());
        const QString message = errorMessage([&] { ddsm::readIdxImages(path.toStdString()); });
        VERIFY_MENTIONS(message, path);
        VERIFY_MENTIONS(message, "expected 0x00000803");
        VERIFY_MENTIONS(message, "found 0x00000801");
    }

    void badDataSizeGivesBothCounts_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("gzip");
        QTest::addColumn<QStringList>("expected");
        const QStringList shortData{"truncated", "18 bytes", "found only 10"};
        QTest::newRow("raw, short") << kPixels.left(10) << false << shortData;
        QTest::newRow("gzip, short") << kPixels.left(10) << true
                                     << (shortData + QStringList{"after decompression"});
        QTest::newRow("raw, long") << kPixels + "xy" << false << QStringList{"18 bytes", "found 20"};
        QTest::newRow("gzip, long") << kPixels + "xy" << true << QStringList{"18 bytes", "found 20"};
    }
    void badDataSizeGivesBothCounts()
    {
        QFETCH(QByteArray, payload);
        QFETCH(bool, gzip);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("images");
        writeFile(path, idxBytes(ddsm::kIdxImagesMagic, {3, 2, 3}, payload), gzip);
        const QString message = errorMessage([&] { ddsm::readIdxImages(path.toStdString()); });
        VERIFY_MENTIONS(message, path);
        for (const QString& text : expected)
            VERIFY_MENTIONS(message, text);
    }

    void cutGzipStreamIsTruncated()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("images.gz");
        writeGzip(path, tinyImagesFile());
        QFile file(path);
        QVERIFY(file.resize(file.size() - 6));  // loses most of the CRC/length trailer
        const QString message = errorMessage([&] { ddsm::readIdxImages(path.toStdString()); });
        VERIFY_MENTIONS(message, path);
        VERIFY_MENTIONS(message, "truncated");
    }

    void truncatedHeaderAndZeroDimension()
    {
        QTemporaryDir dir;
        const QString shortHeader = dir.filePath("short");
        writeRaw(shortHeader, idxBytes(ddsm::kIdxImagesMagic, {3, 2}, {}));
        VERIFY_MENTIONS(errorMessage([&] { ddsm::readIdxImages(shortHeader.toStdString()); }),
                        "inside its 16-byte header");
        const QString zero = dir.filePath("zero");
        writeRaw(zero, idxBytes(ddsm::kIdxImagesMagic, {3, 0, 3}, {}));
        VERIFY_MENTIONS(errorMessage([&] { ddsm::readIdxImages(zero.toStdString()); }),
                        "dimension 1 of the header is zero");
    }

    void imageAndLabelCountsMustAgree()
    {
        QTemporaryDir dir;
        writeGzip(dir.filePath("train-images-idx3-ubyte.gz"), tinyImagesFile(3));
        writeGzip(dir.filePath("train-labels-idx1-ubyte.gz"), tinyLabelsFile(2));
        const QString message =
            errorMessage([&] { ddsm::loadFashionMnist(dir.path().toStdString()); });
        VERIFY_MENTIONS(message, "3 images");
        VERIFY_MENTIONS(message, "2 labels");
        VERIFY_MENTIONS(message, "train-labels-idx1-ubyte.gz");
    }

    void missingFashionMnistNamesFileAndPackage()
    {
        QTemporaryDir dir;
        const QString noFolder = dir.filePath("absent");
        QString message = errorMessage([&] { ddsm::loadFashionMnist(noFolder.toStdString()); });
        VERIFY_MENTIONS(message, noFolder);
        VERIFY_MENTIONS(message, "dataset-fashion-mnist");

        message = errorMessage([&] {
            ddsm::loadFashionMnist(dir.path().toStdString(), ddsm::FashionMnistSplit::Test);
        });
        VERIFY_MENTIONS(message, "t10k-images-idx3-ubyte.gz");
        VERIFY_MENTIONS(message, "dataset-fashion-mnist");

        writeGzip(dir.filePath("t10k-images-idx3-ubyte.gz"), tinyImagesFile());
        message = errorMessage([&] {
            ddsm::loadFashionMnist(dir.path().toStdString(), ddsm::FashionMnistSplit::Test);
        });
        VERIFY_MENTIONS(message, "t10k-labels-idx1-ubyte.gz");
        VERIFY_MENTIONS(message, "dataset-fashion-mnist");
    }

    void labelsOutsideTheTenClassesAreRejected()
    {
        QTemporaryDir dir;
        writeGzip(dir.filePath("train-images-idx3-ubyte.gz"), tinyImagesFile(1));
        writeGzip(dir.filePath("train-labels-idx1-ubyte.gz"),
                  idxBytes(ddsm::kIdxLabelsMagic, {1}, QByteArray("\x0C", 1)));
        VERIFY_MENTIONS(errorMessage([&] { ddsm::loadFashionMnist(dir.path().toStdString()); }),
                        "label 12");
    }

    void installedFashionMnistTestSplit()
    {
        if (!std::filesystem::is_directory(ddsm::kFashionMnistDefaultDir))
            QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
        const ddsm::ImageDataset data =
            ddsm::loadFashionMnist(ddsm::kFashionMnistDefaultDir, ddsm::FashionMnistSplit::Test);
        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{10000, 1, 28, 28}));
        QCOMPARE(data.images.min().item<float>(), -1.0f);
        QCOMPARE(data.images.max().item<float>(), 1.0f);
        // The test split is balanced: 1,000 images of each of the 10 classes.
        QCOMPARE(toVector(at::bincount(data.labels)), std::vector<int64_t>(10, 1000));
        QCOMPARE(QString::fromStdString(data.description),
                 QString("Fashion-MNIST test, 10000 images 1x28x28, ") + ddsm::kFashionMnistDefaultDir);
    }

    // ---- Image folders ----

    // A long image with three bands along its long side: only the middle band
    // survives a centred crop, and a 2:1 area resize averages it to itself.
    void longImagesAreResizedAndCentreCropped_data()
    {
        QTest::addColumn<bool>("landscape");
        QTest::newRow("40x20") << true;
        QTest::newRow("20x40") << false;
    }
    void longImagesAreResizedAndCentreCropped()
    {
        QFETCH(bool, landscape);
        cv::Mat image = uniformImage(landscape ? 40 : 20, landscape ? 20 : 40, rgb(10, 200, 90));
        const cv::Rect first = landscape ? cv::Rect(0, 0, 10, 20) : cv::Rect(0, 0, 20, 10);
        const cv::Rect last = landscape ? cv::Rect(30, 0, 10, 20) : cv::Rect(0, 30, 20, 10);
        image(first).setTo(rgb(255, 0, 0));
        image(last).setTo(rgb(0, 0, 255));
        QTemporaryDir dir;
        writeImage(dir.filePath("long.png"), image);

        ddsm::ImageFolderOptions options;
        options.image_size = 10;
        const ddsm::ImageDataset data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{1, 3, 10, 10}));
        QVERIFY(!data.labels.defined());
        const auto pixels = data.images.accessor<float, 4>();
        const int expected[3] = {10, 200, 90};
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 10; ++y)
                for (int x = 0; x < 10; ++x)
                    QCOMPARE(pixels[0][c][y][x], scaled(expected[c]));
    }

    void smallImagesAreScaledUp()
    {
        QTemporaryDir dir;
        writeImage(dir.filePath("small.bmp"), uniformImage(5, 7, rgb(0, 255, 40)));
        ddsm::ImageFolderOptions options;
        options.image_size = 16;
        const ddsm::ImageDataset data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{1, 3, 16, 16}));
        QCOMPARE(data.images[0][1].min().item<float>(), 1.0f);
        QCOMPARE(data.images[0][2].max().item<float>(), scaled(40));
    }

    // Gray = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601); the colours are
    // chosen so that the value is not near a rounding boundary.
    void grayscaleUsesBt601Luma_data()
    {
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("g");
        QTest::addColumn<int>("b");
        QTest::newRow("red") << 255 << 0 << 0;        // 76.2
        QTest::newRow("orange") << 200 << 100 << 50;  // 124.2
        QTest::newRow("teal") << 0 << 128 << 128;     // 89.7
    }
    void grayscaleUsesBt601Luma()
    {
        QFETCH(int, r);
        QFETCH(int, g);
        QFETCH(int, b);
        QTemporaryDir dir;
        writeImage(dir.filePath("colour.png"), uniformImage(6, 6, rgb(r, g, b)));
        ddsm::ImageFolderOptions options;
        options.image_size = 4;
        options.channels = 1;
        const ddsm::ImageDataset data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{1, 1, 4, 4}));
        const int luma = int(std::lround(0.299 * r + 0.587 * g + 0.114 * b));
        QCOMPARE(data.images.min().item<float>(), scaled(luma));
        QCOMPARE(data.images.max().item<float>(), scaled(luma));
    }

    void nestedFoldersGiveSortedOrderAndSubfolderLabels()
    {
        QTemporaryDir dir;
        // Each image's red value says where it must land in sorted path order.
        writeImage(dir.filePath("dogs/c.jpg"), uniformImage(8, 8, rgb(120, 120, 120)));
        writeImage(dir.filePath("cats/deep/b.PNG"), uniformImage(8, 8, rgb(60, 0, 0)));
        writeImage(dir.filePath("cats/a.png"), uniformImage(8, 8, rgb(30, 0, 0)));
        writeImage(dir.filePath("dogs/d.Bmp"), uniformImage(9, 8, rgb(240, 0, 0)));
        writeRaw(dir.filePath("dogs/notes.txt"), "not an image");
        writeRaw(dir.filePath("README"), "not an image either");

        ddsm::ImageFolderOptions options;
        options.image_size = 8;
        options.labels_from_subfolders = true;
        ddsm::ImageDataset data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.sizes().vec(), (std::vector<int64_t>{4, 3, 8, 8}));
        QCOMPARE(toVector(data.labels), (std::vector<int64_t>{0, 0, 1, 1}));
        QCOMPARE(data.class_names, (std::vector<std::string>{"cats", "dogs"}));
        const at::Tensor red = data.images.select(1, 0).mean({1, 2});
        QCOMPARE(red[0].item<float>(), scaled(30));
        QCOMPARE(red[1].item<float>(), scaled(60));
        QVERIFY(std::abs(red[2].item<float>() - scaled(120)) < 3 / 127.5);  // JPEG is lossy
        QCOMPARE(red[3].item<float>(), scaled(240));
        VERIFY_MENTIONS(QString::fromStdString(data.description), "4 images 3x8x8, 2 classes (cats, dogs)");

        options.limit = 3;
        data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(toVector(data.labels), (std::vector<int64_t>{0, 0, 1}));

        options.labels_from_subfolders = false;
        data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.size(0), int64_t(3));
        QVERIFY(!data.labels.defined());
        QVERIFY(data.class_names.empty());
    }

    void corruptImageIsNamedOrSkipped()
    {
        QTemporaryDir dir;
        writeImage(dir.filePath("a/good.png"), uniformImage(4, 4, rgb(1, 2, 3)));
        writeRaw(dir.filePath("a/broken.png"), "\x89PNG but nothing after");
        writeImage(dir.filePath("b/good.jpeg"), uniformImage(4, 4, rgb(1, 2, 3)));
        ddsm::ImageFolderOptions options;
        options.image_size = 4;
        const QString message =
            errorMessage([&] { ddsm::loadImageFolder(dir.path().toStdString(), options); });
        VERIFY_MENTIONS(message, dir.filePath("a/broken.png"));

        options.skip_unreadable = true;
        const ddsm::ImageDataset data = ddsm::loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(data.images.size(0), int64_t(2));
        VERIFY_MENTIONS(QString::fromStdString(data.description), "skipped 1 unreadable file");
    }

    void emptyOrMissingFolderIsAnError()
    {
        QTemporaryDir dir;
        writeRaw(dir.filePath("only-text.txt"), "no images here");
        QVERIFY(QDir(dir.path()).mkpath("sub/empty"));
        QString message = errorMessage([&] { ddsm::loadImageFolder(dir.path().toStdString()); });
        VERIFY_MENTIONS(message, dir.path());
        VERIFY_MENTIONS(message, "holds no PNG, JPEG or BMP images");

        const QString absent = dir.filePath("absent");
        message = errorMessage([&] { ddsm::loadImageFolder(absent.toStdString()); });
        VERIFY_MENTIONS(message, absent);
        VERIFY_MENTIONS(message, "does not exist");
    }

    void subfolderLabelsNeedSubfolders()
    {
        QTemporaryDir dir;
        writeImage(dir.filePath("loose.png"), uniformImage(4, 4, rgb(1, 2, 3)));
        ddsm::ImageFolderOptions options;
        options.labels_from_subfolders = true;
        VERIFY_MENTIONS(
            errorMessage([&] { ddsm::loadImageFolder(dir.path().toStdString(), options); }),
            "not in a class subfolder");
    }

    void invalidFolderOptions_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("expected");
        QTest::newRow("size 0") << 0 << 3 << -1 << "image size must be positive";
        QTest::newRow("2 channels") << 8 << 2 << -1 << "1 (grayscale) or 3 (RGB)";
        QTest::newRow("limit 0") << 8 << 3 << 0 << "limit of 0";
    }
    void invalidFolderOptions()
    {
        QFETCH(int, size);
        QFETCH(int, channels);
        QFETCH(int, limit);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        writeImage(dir.filePath("x.png"), uniformImage(4, 4, rgb(1, 2, 3)));
        ddsm::ImageFolderOptions options;
        options.image_size = size;
        options.channels = channels;
        options.limit = limit;
        VERIFY_MENTIONS(
            errorMessage([&] { ddsm::loadImageFolder(dir.path().toStdString(), options); }), expected);
    }

    // ---- Data set specs ----

    void datasetSpecs()
    {
        QTemporaryDir dir;
        const QString fashion = dir.filePath("fashion");
        writeTinyFashionMnist(fashion, 3, 2);
        const QString folder = dir.filePath("pictures");
        writeImage(folder + "/p.png", uniformImage(6, 6, rgb(9, 9, 9)));

        const std::string f = fashion.toStdString();
        QCOMPARE(ddsm::loadDataset("fashion-mnist:" + f).images.size(0), int64_t(3));
        QCOMPARE(ddsm::loadDataset("fashion-mnist:train:" + f).images.size(0), int64_t(3));
        const ddsm::ImageDataset test = ddsm::loadDataset("fashion-mnist:test:" + f);
        QCOMPARE(test.images.size(0), int64_t(2));
        VERIFY_MENTIONS(QString::fromStdString(test.description), "Fashion-MNIST test");

        ddsm::ImageFolderOptions options;
        options.limit = 1;
        QCOMPARE(ddsm::loadDataset("fashion-mnist:" + f, options).images.size(0), int64_t(1));
        options.image_size = 6;
        QCOMPARE(ddsm::loadDataset(folder.toStdString(), options).images.sizes().vec(),
                 (std::vector<int64_t>{1, 3, 6, 6}));

        VERIFY_MENTIONS(errorMessage([&] { ddsm::loadDataset(dir.filePath("nothing").toStdString()); }),
                        "fashion-mnist[:train|:test][:DIR]");
        VERIFY_MENTIONS(errorMessage([&] { ddsm::loadDataset("fashion-mnist:" + f + "/absent"); }),
                        "dataset-fashion-mnist");
    }

    // ---- Batch order ----

    void everyEpochIsAPermutation_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("batch");
        QTest::newRow("10 by 3") << 10 << 3;
        QTest::newRow("10 by 5") << 10 << 5;
        QTest::newRow("batch larger than n") << 7 << 10;
        QTest::newRow("single item") << 1 << 1;
    }
    void everyEpochIsAPermutation()
    {
        QFETCH(int, n);
        QFETCH(int, batch);
        ddsm::BatchSampler sampler(n, batch, 1234);
        const int64_t fullBatch = std::min(batch, n);
        for (int64_t epoch = 0; epoch < 3; ++epoch) {
            QCOMPARE(sampler.epoch(), epoch);
            std::vector<int64_t> seen;
            for (int64_t b = 0; b < sampler.batchesPerEpoch(); ++b) {
                const at::Tensor indices = sampler.nextIndices();
                QCOMPARE(indices.scalar_type(), at::kLong);
                const bool last = b + 1 == sampler.batchesPerEpoch();
                QCOMPARE(indices.size(0), last ? n - b * fullBatch : fullBatch);
                const std::vector<int64_t> part = toVector(indices);
                seen.insert(seen.end(), part.begin(), part.end());
            }
            std::sort(seen.begin(), seen.end());
            std::vector<int64_t> all(n);
            std::iota(all.begin(), all.end(), 0);
            QCOMPARE(seen, all);
        }
    }

    void sameSeedSameSequence()
    {
        ddsm::BatchSampler a(50, 8, 7), b(50, 8, 7), other(50, 8, 8);
        bool differsFromOtherSeed = false;
        for (int i = 0; i < 30; ++i) {  // crosses several epochs
            const at::Tensor x = a.nextIndices();
            QVERIFY(at::equal(x, b.nextIndices()));
            differsFromOtherSeed |= !at::equal(x, other.nextIndices());
        }
        QVERIFY(differsFromOtherSeed);
        QVERIFY(ddsm::epochPermutation(50, 7, 0) != ddsm::epochPermutation(50, 7, 1));
    }

    // Pinned: changing the shuffle silently changes every training run's
    // batches, which breaks resuming checkpoints made by an earlier build.
    void permutationIsPinned()
    {
        QCOMPARE(ddsm::epochPermutation(10, 42, 0), (std::vector<int64_t>{9, 6, 2, 0, 1, 4, 3, 8, 5, 7}));
        QCOMPARE(ddsm::epochPermutation(10, 42, 3), (std::vector<int64_t>{6, 5, 7, 9, 4, 2, 0, 8, 3, 1}));
    }

    // Over 24,000 epochs each of the 24 orders of 4 items should appear about
    // 1,000 times (standard deviation ~31); a biased shuffle misses by hundreds.
    void permutationsAreUniform()
    {
        std::map<std::vector<int64_t>, int> counts;
        for (int64_t epoch = 0; epoch < 24000; ++epoch)
            ++counts[ddsm::epochPermutation(4, 99, epoch)];
        QCOMPARE(int(counts.size()), 24);
        for (const auto& [order, count] : counts)
            QVERIFY2(std::abs(count - 1000) < 150, qPrintable(QString::number(count)));
    }

    void restoredStateContinuesIdentically_data()
    {
        QTest::addColumn<int>("batchesBeforeSave");
        QTest::newRow("mid-epoch") << 2;
        QTest::newRow("at an epoch boundary") << 4;
        QTest::newRow("later epoch") << 9;
    }
    void restoredStateContinuesIdentically()
    {
        QFETCH(int, batchesBeforeSave);
        ddsm::BatchSampler original(13, 4, 2024);  // 4 batches per epoch, the last of 1
        for (int i = 0; i < batchesBeforeSave; ++i)
            original.nextIndices();
        const ddsm::BatchSampler::State saved = original.state();

        ddsm::BatchSampler resumed(13, 4, 1);  // the seed comes from the state
        resumed.restore(saved);
        QCOMPARE(resumed.epoch(), original.epoch());
        for (int i = 0; i < 10; ++i)
            QVERIFY(at::equal(resumed.nextIndices(), original.nextIndices()));
        QCOMPARE(resumed.state().position, original.state().position);
    }

    void foreignStateIsRejected()
    {
        ddsm::BatchSampler sampler(10, 3, 5);
        VERIFY_MENTIONS(errorMessage([&] { sampler.restore({5, 0, 10}); }), "10 items");
        VERIFY_MENTIONS(errorMessage([&] { sampler.restore({5, -1, 0}); }), "epoch -1");
        VERIFY_MENTIONS(errorMessage([] { ddsm::BatchSampler(0, 3, 5); }), "0 items");
        VERIFY_MENTIONS(errorMessage([] { ddsm::BatchSampler(10, 0, 5); }), "batch size");
    }
};

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"
