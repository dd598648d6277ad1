// Metrics against independent truth: scipy/numpy golden values
// (tests/metrics/make_golden.py), closed forms, numpy reading our files, and
// the error messages of broken inputs.
#include "base/atomic_file.h"
#include "base/error.h"
#include "metrics/estimate.h"
#include "metrics/fid_bootstrap.h"
#include "metrics/frechet.h"
#include "metrics/frechet_accumulator.h"
#include "metrics/gaussian_stats.h"
#include "metrics/kid.h"
#include "metrics/kid_accumulator.h"
#include "metrics/npy_format.h"
#include "metrics/npy_values.h"
#include "metrics/stats_file.h"
#include "metrics/zip_archive.h"
#include "error_of.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>

namespace {

using ddsm::test::errorOf;

const std::string kDataDir = DDSM_SOURCE_DIR "/tests/metrics/data/";

std::map<std::string, at::Tensor> loadNpzArrays(const std::string& path)
{
    std::map<std::string, at::Tensor> arrays;
    for (const ddsm::ZipEntry& e : ddsm::decodeZip(ddsm::readWholeFile(path), path)) {
        const std::string key = e.name.substr(0, e.name.size() - 4);
        arrays[key] = ddsm::tensorFromNpy(ddsm::decodeNpy(e.data, e.name), e.name);
    }
    return arrays;
}

nlohmann::json golden()
{
    return nlohmann::json::parse(ddsm::readWholeFile(kDataDir + "golden.json"));
}

double relativeError(double actual, double expected)
{
    return std::abs(actual - expected) / std::abs(expected);
}

// Features [n, d] from N(mean, scale^2 I), from a generator of its own.
at::Tensor gaussianFeatures(int64_t n, int64_t d, double mean, double scale, uint64_t seed)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    return at::normal(mean, scale, {n, d}, gen, at::TensorOptions().dtype(at::kDouble));
}

ddsm::GaussianStats statsOf(const at::Tensor& features, std::string name, std::string source)
{
    ddsm::GaussianStats s = ddsm::computeStats(features);
    s.featureName = std::move(name);
    s.source = std::move(source);
    return s;
}

// Runs `body` and returns the ddsm::Error message it throws ("" if none).

std::string npyOf(const at::Tensor& t)
{
    return ddsm::encodeNpy(ddsm::npyFromTensor(t));
}

// A Python 3 interpreter with numpy, or "" if there is none.
QString pythonWithNumpy()
{
    for (const QString& candidate : {QString("python3"), QString("/usr/bin/python3")}) {
        QProcess p;
        p.start(candidate, {"-c", "import numpy"});
        if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
            return candidate;
    }
    return {};
}

}  // namespace

class TestMetrics final : public QObject {
    Q_OBJECT
private slots:
    void goldenFrechetDistance_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("expected");
        const nlohmann::json cases = golden();
        for (const auto& c : cases["frechet"])
            QTest::newRow(c["name"].get<std::string>().c_str())
                << QString::fromStdString(c["file"].get<std::string>())
                << c["distance"].get<double>();
    }
    void goldenFrechetDistance()
    {
        QFETCH(QString, file);
        QFETCH(double, expected);
        auto a = loadNpzArrays(kDataDir + file.toStdString());
        const double actual = ddsm::frechetDistance(a["mu1"], a["sigma1"], a["mu2"], a["sigma2"]);
        qInfo("scipy %.17g, ours %.17g, difference %.3g", expected, actual, actual - expected);
        if (std::abs(expected) < 1e-9)  // identical statistics: distance 0
            QVERIFY(std::abs(actual) < 1e-9);
        else
            QVERIFY2(relativeError(actual, expected) < 1e-6,
                     qPrintable(QString("relative error %1").arg(relativeError(actual, expected))));
    }
    void statsMatchNumpyCov()
    {
        auto a = loadNpzArrays(kDataDir + "d64_from_200.npz");
        QCOMPARE(a["features1"].scalar_type(), at::kFloat);  // the '<f4' path
        const ddsm::GaussianStats s = ddsm::computeStats(a["features1"]);
        QCOMPARE(s.count, int64_t(200));
        QVERIFY((s.mu - a["mu1"]).abs().max().item<double>() < 1e-12);
        QVERIFY((s.sigma - a["sigma1"]).abs().max().item<double>() < 1e-12);
    }
    void readsPytorchFidReferenceFile()
    {
        const ddsm::GaussianStats ref = ddsm::loadStatsNpz(kDataDir + "pytorch_fid_reference.npz");
        QCOMPARE(ref.dim(), int64_t(64));
        QCOMPARE(ref.count, int64_t(0));  // unknown
        QCOMPARE(ref.source, std::string("pytorch_fid_reference"));
        auto a = loadNpzArrays(kDataDir + "d64_from_200.npz");
        const double expected = golden()["frechet"][1]["distance"].get<double>();
        QVERIFY(relativeError(ddsm::frechetDistance(a["mu1"], a["sigma1"], ref.mu, ref.sigma),
                              expected) < 1e-6);
    }
    void frechetOfDiagonalCovariancesHasClosedForm()
    {
        // |mu1-mu2|^2 = 1 + 4 + 4 = 9; sum (sqrt a - sqrt b)^2 = (1-2)^2 + (2-1)^2 + (3-4)^2 = 3.
        const at::Tensor mu1 = at::tensor({0.0, 0.0, 0.0}, at::kDouble);
        const at::Tensor mu2 = at::tensor({1.0, 2.0, -2.0}, at::kDouble);
        const at::Tensor a = at::tensor({1.0, 4.0, 9.0}, at::kDouble);
        const at::Tensor b = at::tensor({4.0, 1.0, 16.0}, at::kDouble);
        QVERIFY(std::abs(ddsm::frechetDistance(mu1, at::diag(a), mu2, at::diag(b)) - 12.0) < 1e-12);
        // Rotating both Gaussians by the same orthogonal Q keeps the distance.
        at::Generator gen = at::detail::createCPUGenerator(1);
        const at::Tensor q = std::get<0>(at::linalg_qr(at::randn({3, 3}, gen, at::kDouble)));
        const double rotated = ddsm::frechetDistance(q.mv(mu1), q.mm(at::diag(a)).mm(q.t()),
                                                     q.mv(mu2), q.mm(at::diag(b)).mm(q.t()));
        QVERIFY2(std::abs(rotated - 12.0) < 1e-10, qPrintable(QString::number(rotated, 'g', 17)));
    }
    void frechetOfStatisticsWithThemselvesIsZero()
    {
        // Exactly 0, as printed: not round-off such as -1.7e-10.
        const auto s = ddsm::computeStats(gaussianFeatures(500, 32, 0.5, 2.0, 3));
        QCOMPARE(ddsm::frechetDistance(s, s), 0.0);
        const auto shipped = ddsm::loadStatsNpz(DDSM_SOURCE_DIR "/models/fmnist-train-stats.npz");
        QCOMPARE(ddsm::frechetDistance(shipped, shipped), 0.0);
        auto copy = shipped;
        copy.sigma = shipped.sigma.clone();
        QCOMPARE(ddsm::frechetDistance(shipped, copy), 0.0);
    }
    // The statistics FID really meets are nearly singular (dead features, fewer
    // samples than would fill 128 dimensions well): the square root of a
    // genuine eigenvalue of ~1e-10 in S1 S2 matters at 1e-5 relative. Checked
    // against scipy's sqrtm formula computed by python3 on the shipped training
    // statistics, for the distance and for the value `ddsm fid` prints.
    void frechetMatchesScipyOnNearlySingularStatistics()
    {
        const QString python = pythonWithNumpy();
        if (python.isEmpty())
            QSKIP("no python3 with numpy and scipy");
        QTemporaryDir dir;
        QProcess p;
        p.start(python, {DDSM_SOURCE_DIR "/tests/metrics/scipy_near_singular.py",
                         DDSM_SOURCE_DIR "/models/fmnist-train-stats.npz", dir.path()});
        QVERIFY(p.waitForFinished(300000));
        if (p.exitCode() != 0 && p.readAllStandardError().contains("No module named 'scipy'"))
            QSKIP("python3 has no scipy");
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto expected = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(expected.size(), size_t(3));
        for (const auto& [name, scipyValue] : expected.items()) {
            auto a = loadNpzArrays(dir.filePath(QString::fromStdString(name + ".npz")).toStdString());
            const double ours = ddsm::frechetDistance(a["mu1"], a["sigma1"], a["mu2"], a["sigma2"]);
            ddsm::FrechetAccumulator acc(ddsm::GaussianStats{a["mu1"], a["sigma1"], 0, "", ""});
            acc.add(a["features2"]);
            const double printed = acc.current(2, 1).value;
            const double want = scipyValue.get<double>();
            qInfo("%s: scipy %.17g, ours %.17g (relative %.2g), ddsm fid's value relative %.2g", name.c_str(), want,
                  ours, relativeError(ours, want), relativeError(printed, want));
            QVERIFY2(relativeError(ours, want) < 1e-9, name.c_str());
            QVERIFY2(relativeError(printed, want) < 1e-9, name.c_str());
        }
    }
    void frechetIsSymmetric()
    {
        const auto a = ddsm::computeStats(gaussianFeatures(100, 24, 0.0, 1.0, 4));
        const auto b = ddsm::computeStats(gaussianFeatures(300, 24, 0.2, 1.5, 5));
        const double ab = ddsm::frechetDistance(a, b);
        QVERIFY(ab > 1.0);
        QVERIFY(relativeError(ddsm::frechetDistance(b, a), ab) < 1e-10);
    }
    void frechetRejectsMismatchedDimensions()
    {
        const auto a = ddsm::computeStats(gaussianFeatures(20, 8, 0.0, 1.0, 6));
        const auto b = ddsm::computeStats(gaussianFeatures(20, 16, 0.0, 1.0, 7));
        QVERIFY(errorOf<QString>([&] { ddsm::frechetDistance(a, b); }).contains("got 8 and 16"));
        const at::Tensor wrongSigma = at::eye(7, at::kDouble);
        QVERIFY(errorOf<QString>([&] { ddsm::frechetDistance(a.mu, wrongSigma, a.mu, a.sigma); })
                    .contains("[8, 8]"));
    }
    void frechetRejectsNonFiniteInput()
    {
        auto a = ddsm::computeStats(gaussianFeatures(20, 4, 0.0, 1.0, 8));
        const auto b = a;
        a.sigma = a.sigma.clone();
        a.sigma[1][2] = std::nan("");
        QVERIFY(errorOf<QString>([&] { ddsm::frechetDistance(a, b); }).contains("NaN"));
        at::Tensor features = gaussianFeatures(10, 4, 0.0, 1.0, 9);
        features[3][0] = INFINITY;
        QVERIFY(errorOf<QString>([&] { ddsm::computeStats(features); }).contains("infinite"));
    }

    void goldenKid()
    {
        const nlohmann::json c = golden()["kid"][0];
        auto a = loadNpzArrays(kDataDir + c["file"].get<std::string>());
        const double expected = c["mmd2_unbiased"].get<double>();
        const double actual = ddsm::unbiasedMmd2(a["x"], a["y"]);
        qInfo("numpy %.17g, ours %.17g", expected, actual);
        QVERIFY(relativeError(actual, expected) < 1e-10);
    }
    void kidOfOneDistributionIsNearZero()
    {
        // KID is unbiased: over independent replicates its mean under "same
        // distribution" is 0 up to sampling error. Tolerance: 4 standard
        // errors of the replicate mean. A shifted distribution must exceed it.
        const int replicates = 20;
        std::vector<double> same, shifted;
        for (int r = 0; r < replicates; ++r) {
            const at::Tensor ref = gaussianFeatures(300, 16, 0.0, 1.0, 1000 + r);
            const ddsm::KidOptions options{100, 10, uint64_t(r)};
            same.push_back(ddsm::computeKid(gaussianFeatures(300, 16, 0.0, 1.0, 2000 + r), ref, options).mean);
            shifted.push_back(ddsm::computeKid(gaussianFeatures(300, 16, 0.3, 1.0, 3000 + r), ref, options).mean);
        }
        const auto meanAndError = [](const std::vector<double>& v) {
            double m = 0, s = 0;
            for (double x : v) m += x / v.size();
            for (double x : v) s += (x - m) * (x - m) / (v.size() - 1);
            return std::pair{m, std::sqrt(s / v.size())};
        };
        const auto [sameMean, sameError] = meanAndError(same);
        const auto [shiftedMean, shiftedError] = meanAndError(shifted);
        qInfo("same: %.3g +- %.3g, shifted: %.3g +- %.3g", sameMean, sameError, shiftedMean, shiftedError);
        QVERIFY(std::abs(sameMean) < 4 * sameError);
        QVERIFY(shiftedMean > 4 * shiftedError + std::abs(sameMean));
    }
    void kidSubsetsAreSeeded()
    {
        const at::Tensor x = gaussianFeatures(80, 8, 0.0, 1.0, 10);
        const at::Tensor y = gaussianFeatures(90, 8, 0.1, 1.0, 11);
        const auto a = ddsm::computeKid(x, y, {50, 5, 42});
        const auto b = ddsm::computeKid(x, y, {50, 5, 42});
        const auto c = ddsm::computeKid(x, y, {50, 5, 43});
        QCOMPARE(a.subsetSize, int64_t(50));
        QCOMPARE(a.subsetValues, b.subsetValues);
        QVERIFY(a.subsetValues != c.subsetValues);
        QVERIFY(a.std > 0);
        // A subset holding every row of both sides is the full estimate.
        const auto all = ddsm::computeKid(x.slice(0, 0, 60), y.slice(0, 0, 60), {1000, 3, 1});
        QVERIFY(relativeError(all.mean, ddsm::unbiasedMmd2(x.slice(0, 0, 60), y.slice(0, 0, 60))) < 1e-9);
        QVERIFY(all.std < 1e-9 * std::abs(all.mean));
        QVERIFY(errorOf<QString>([&] { ddsm::computeKid(x, gaussianFeatures(9, 5, 0, 1, 1)); })
                    .contains("got 8 and 5"));
    }

    void accumulatorMatchesFrechetOfAllFeatures_data()
    {
        QTest::addColumn<int>("samples");
        QTest::newRow("fewer samples than dimensions") << 40;
        QTest::newRow("more samples than dimensions") << 300;
    }
    void accumulatorMatchesFrechetOfAllFeatures()
    {
        QFETCH(int, samples);
        const auto ref = statsOf(gaussianFeatures(1000, 64, 0.0, 1.0, 12), "toy", "toy-ref");
        // Batches may come in any floating type; float32 values are exact in float64.
        const at::Tensor generated = gaussianFeatures(samples, 64, 0.1, 1.2, 13).to(at::kFloat);
        ddsm::FrechetAccumulator acc(ref);
        acc.add(generated.slice(0, 0, 15));
        acc.add(generated.slice(0, 15).to(at::kDouble));
        QCOMPARE(acc.count(), int64_t(samples));
        const ddsm::Estimate e = acc.current(20, 1);
        const double expected = ddsm::frechetDistance(ddsm::computeStats(generated), ref);
        QVERIFY2(relativeError(e.value, expected) < 1e-12,
                 qPrintable(QString("%1 vs %2 (relative %3)").arg(e.value, 0, 'g', 17).arg(expected, 0, 'g', 17).arg(relativeError(e.value, expected))));
        QCOMPARE(e.estimator, std::string("FID"));
        QCOMPARE(e.samples, int64_t(samples));
        QCOMPARE(e.featureName, std::string("toy"));
        QCOMPARE(e.reference, std::string("toy-ref"));
    }
    void bootstrapIntervalContainsValueAndShrinks()
    {
        const auto ref = statsOf(gaussianFeatures(20000, 16, 0.0, 1.0, 14), "toy", "toy-ref");
        const at::Tensor generated = gaussianFeatures(2000, 16, 0.1, 1.1, 15);
        ddsm::FrechetAccumulator small(ref), large(ref);
        small.add(generated.slice(0, 0, 200));
        large.add(generated);
        const ddsm::Estimate s = small.current(200, 7);
        const ddsm::Estimate l = large.current(200, 7);
        qInfo("%s", s.toString().c_str());
        qInfo("%s", l.toString().c_str());
        QVERIFY(s.low < s.value && s.value < s.high);
        QVERIFY(l.low < l.value && l.value < l.high);
        // Width goes roughly as 1/sqrt(n): a tenfold sample, about a third.
        QVERIFY((l.high - l.low) < 0.6 * (s.high - s.low));
        // Same seed, same interval.
        QCOMPARE(small.current(200, 7).low, s.low);
    }
    void bootstrapRecentresOnTheEstimate()
    {
        const auto ref = statsOf(gaussianFeatures(5000, 16, 0.0, 1.0, 16), "toy", "toy-ref");
        const auto fid = ddsm::bootstrapFid(ref, gaussianFeatures(100, 16, 0.0, 1.0, 17), {100, 3, 0.9});
        double mean = 0;
        for (double v : fid.rounds) mean += v / fid.rounds.size();
        // Resampling repeats rows and so raises FID; the interval is shifted back.
        QVERIFY(fid.resamplingBias > 0);
        QVERIFY(std::abs(mean - fid.resamplingBias - fid.value) < 1e-9 * fid.value);
        QVERIFY(fid.interval.low < fid.value && fid.value < fid.interval.high);
    }
    void kidAccumulatorReportsSubsetSpread()
    {
        const at::Tensor ref = gaussianFeatures(400, 8, 0.0, 1.0, 18);
        const at::Tensor generated = gaussianFeatures(300, 8, 0.5, 1.0, 19);
        ddsm::KidAccumulator acc(ref, "toy", "toy-ref", 0.9, 100);
        acc.add(generated.slice(0, 0, 100));
        acc.add(generated.slice(0, 100));
        const ddsm::Estimate e = acc.current(50, 5);
        const auto kid = ddsm::computeKid(generated, ref, {100, 50, 5});
        QCOMPARE(e.value, kid.mean);
        QVERIFY(e.low < e.value && e.value < e.high);
        QCOMPARE(e.estimator, std::string("KID"));
        QCOMPARE(e.samples, int64_t(300));
        QCOMPARE(e.level, 0.9);
        QVERIFY(errorOf<QString>([&] { acc.add(gaussianFeatures(5, 7, 0, 1, 1)); }).contains("dimension 7"));
    }
    void estimateSaysWhatItIs()
    {
        ddsm::Estimate e{12.3449, 11.9, 12.811, 0.95, 2000, "FID", "fmnist-cnn", "fmnist-train-60k"};
        QCOMPARE(QString::fromStdString(e.toString()),
                 QString("FID 12.34 [11.90, 12.81] 95% CI, n=2000, features=fmnist-cnn, "
                         "ref=fmnist-train-60k"));
        ddsm::Estimate k{0.0012345, 0.00081, 0.0017, 0.9, 500, "KID", "", "x"};
        QCOMPARE(QString::fromStdString(k.toString()),
                 QString("KID 0.001234 [0.00081, 0.0017] 90% CI, n=500, features=unknown, ref=x"));
    }

    void npyEncodingMatchesNumpyByteForByte()
    {
        // numpy.savez wrote this entry; our encoding of the same array must be identical.
        for (const ddsm::ZipEntry& e :
             ddsm::decodeZip(ddsm::readWholeFile(kDataDir + "d8_well_conditioned.npz"), "golden")) {
            const ddsm::NpyArray array = ddsm::decodeNpy(e.data, e.name);
            QCOMPARE(ddsm::encodeNpy(array).size(), e.data.size());
            QVERIFY2(ddsm::encodeNpy(array) == e.data, e.name.c_str());
        }
        const std::string header = ddsm::encodeNpy({"<f8", {2048}, std::string(2048 * 8, '\0')});
        QCOMPARE(header.substr(10, 60),
                 std::string("{'descr': '<f8', 'fortran_order': False, 'shape': (2048,), }"));
        QCOMPARE(header[127], '\n');  // header ends on the 128-byte mark
    }
    void npzRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("stats.npz").toStdString();
        auto stats = statsOf(gaussianFeatures(50, 12, 0.3, 2.0, 20), "fmnist-cnn", "fmnist-train-60k é");
        ddsm::saveStatsNpz(path, stats);
        const ddsm::GaussianStats back = ddsm::loadStatsNpz(path);
        QVERIFY(at::equal(back.mu, stats.mu));
        QVERIFY(at::equal(back.sigma, stats.sigma));
        QCOMPARE(back.count, int64_t(50));
        QCOMPARE(back.featureName, stats.featureName);
        QCOMPARE(back.source, stats.source);
        QCOMPARE(ddsm::frechetDistance(back, stats), ddsm::frechetDistance(stats, stats));
    }
    void numpyLoadsOurFile()
    {
        const QString python = pythonWithNumpy();
        if (python.isEmpty())
            QSKIP("no python3 with numpy: cannot check that numpy.load reads our .npz");
        QTemporaryDir dir;
        const std::string path = dir.filePath("stats.npz").toStdString();
        const auto stats = statsOf(gaussianFeatures(30, 5, -1.0, 3.0, 21), "fmnist-cnn", "ref é");
        ddsm::saveStatsNpz(path, stats);
        // allow_pickle stays False: the file holds plain arrays only.
        const char* script =
            "import json, sys, numpy as np\n"
            "z = np.load(sys.argv[1])\n"
            "assert z['mu'].dtype == np.float64 and z['sigma'].shape == (5, 5)\n"
            "print(json.dumps({'mu': z['mu'].tolist(), 'sigma': z['sigma'].tolist(),\n"
            "  'count': int(z['count']), 'feature_name': str(z['feature_name']),\n"
            "  'source': str(z['source'])}))\n";
        QProcess p;
        p.start(python, {"-c", script, QString::fromStdString(path)});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j["count"].get<int64_t>(), int64_t(30));
        QCOMPARE(j["feature_name"].get<std::string>(), std::string("fmnist-cnn"));
        QCOMPARE(j["source"].get<std::string>(), std::string("ref é"));
        const auto mu = stats.mu.accessor<double, 1>();
        const auto sigma = stats.sigma.accessor<double, 2>();
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(j["mu"][i].get<double>(), mu[i]);  // exact: repr round-trips
            for (int k = 0; k < 5; ++k)
                QCOMPARE(j["sigma"][i][k].get<double>(), sigma[i][k]);
        }
    }
    void zipArchivesFromPythonsZipfile()
    {
        // Python's zipfile writes them independently: ZIP64 records, deflate,
        // and a method the reader refuses (bzip2).
        const QString python = pythonWithNumpy();
        if (python.isEmpty())
            QSKIP("no python3: cannot make the archives");
        QTemporaryDir dir;
        const char* script =
            "import sys, zipfile\n"
            "with zipfile.ZipFile(sys.argv[1] + '/z64.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n"
            "    with z.open('a.npy', 'w', force_zip64=True) as f: f.write(b'abc' * 1000)\n"
            "    z.writestr('b.npy', b'')\n"
            "with zipfile.ZipFile(sys.argv[1] + '/bz.zip', 'w', zipfile.ZIP_BZIP2) as z:\n"
            "    z.writestr('c.npy', b'x' * 100)\n";
        QProcess p;
        p.start(python, {"-c", script, dir.path()});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());

        const std::string z64 = dir.filePath("z64.zip").toStdString();
        const auto entries = ddsm::decodeZip(ddsm::readWholeFile(z64), z64);
        QCOMPARE(entries.size(), size_t(2));
        QCOMPARE(entries[0].name, std::string("a.npy"));
        std::string abc;
        for (int i = 0; i < 1000; ++i)
            abc += "abc";
        QCOMPARE(entries[0].data, abc);
        QCOMPARE(entries[1].data, std::string());

        const std::string bz = dir.filePath("bz.zip").toStdString();
        QCOMPARE(errorOf<QString>([&] { ddsm::decodeZip(ddsm::readWholeFile(bz), bz); }),
                 QString::fromStdString(bz + ": entry c.npy uses compression method 12; only stored and deflate are supported"));
        // Equal content gives identical bytes (fixed timestamps).
        const std::vector<ddsm::ZipEntry> content{{"mu.npy", "0123"}, {"é.npy", ""}};
        QCOMPARE(ddsm::encodeZip(content), ddsm::encodeZip(content));
    }

    void brokenFilesNameFileAndProblem_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("problem");
        QTest::newRow("not a zip") << "not_zip.npz" << "not a ZIP archive";
        QTest::newRow("truncated zip") << "truncated.npz" << "truncated ZIP archive";
        QTest::newRow("flipped data byte") << "crc.npz" << "CRC-32 mismatch in entry mu.npy";
        QTest::newRow("missing sigma") << "no_sigma.npz" << "no 'sigma' array (the file holds mu)";
        QTest::newRow("sigma not DxD") << "bad_shape.npz" << "'sigma' must have shape (4, 4)";
        QTest::newRow("fortran order") << "fortran.npz" << "Fortran-ordered";
        QTest::newRow("truncated npy") << "short_npy.npz" << "truncated .npy data: shape (4,)";
        QTest::newRow("integer mean") << "int_mu.npz" << "must be floating point";
        QTest::newRow("missing file") << "absent.npz" << "absent.npz";
        QTest::newRow("deflated size beyond deflate")
            << "claims_1_5gb.npz" << "entry mu1.npy claims 1500000000 bytes from";
        QTest::newRow("stored size beyond the file")
            << "stored_claims_2gb.npz" << "entry mu.npy claims 2000000000 compressed bytes but the file holds only";
    }
    void brokenFilesNameFileAndProblem()
    {
        QFETCH(QString, file);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const std::string good = dir.filePath("good.npz").toStdString();
        ddsm::saveStatsNpz(good, statsOf(gaussianFeatures(10, 4, 0, 1, 22), "f", "s"));
        std::string bytes = ddsm::readWholeFile(good);
        const at::Tensor mu = at::zeros({4}, at::kDouble);
        const at::Tensor sigma = at::eye(4, at::kDouble);

        if (file == "not_zip.npz") {
            bytes = "mu,sigma\n1,2\n";
        } else if (file == "truncated.npz") {
            bytes.resize(bytes.size() / 2);
        } else if (file == "crc.npz") {
            bytes[30 + 6 + 128 + 3] ^= 0x01;  // inside mu's data: header, name, npy header
        } else if (file == "no_sigma.npz") {
            bytes = ddsm::encodeZip({{"mu.npy", npyOf(mu)}});
        } else if (file == "bad_shape.npz") {
            bytes = ddsm::encodeZip({{"mu.npy", npyOf(mu)}, {"sigma.npy", npyOf(at::eye(3, at::kDouble))}});
        } else if (file == "fortran.npz") {
            std::string npy = npyOf(sigma);
            npy.replace(npy.find("False"), 5, "True ");
            bytes = ddsm::encodeZip({{"mu.npy", npyOf(mu)}, {"sigma.npy", npy}});
        } else if (file == "short_npy.npz") {
            std::string npy = npyOf(mu);
            npy.resize(npy.size() - 8);
            bytes = ddsm::encodeZip({{"mu.npy", npy}, {"sigma.npy", npyOf(sigma)}});
        } else if (file == "claims_1_5gb.npz") {
            // numpy's savez_compressed output with the first entry's directory size raised to 1.5 GB:
            // refused before anything is allocated.
            bytes = ddsm::readWholeFile(kDataDir + "d32_from_20_near_singular.npz");
            const size_t directory = bytes.find("PK\x01\x02");
            QVERIFY(directory != std::string::npos);
            const uint32_t claimed = 1'500'000'000u;
            for (int i = 0; i < 4; ++i)
                bytes[directory + 24 + size_t(i)] = char((claimed >> (8 * i)) & 0xff);
        } else if (file == "stored_claims_2gb.npz") {
            // A stored entry whose directory record claims 2 GB (both sizes agree, as
            // stored entries must): refused before 2 GB are allocated for it.
            const size_t directory = bytes.find("PK\x01\x02");
            QVERIFY(directory != std::string::npos);
            const uint32_t claimed = 2'000'000'000u;
            for (size_t field : {size_t(20), size_t(24)})
                for (int i = 0; i < 4; ++i)
                    bytes[directory + field + size_t(i)] = char((claimed >> (8 * i)) & 0xff);
        } else if (file == "int_mu.npz") {
            bytes = ddsm::encodeZip({{"mu.npy", npyOf(mu.to(at::kLong))}, {"sigma.npy", npyOf(sigma)}});
        }
        const std::string path = dir.filePath(file).toStdString();
        if (file != "absent.npz")
            ddsm::writeFileAtomically(path, bytes);
        const QString message = errorOf<QString>([&] { ddsm::loadStatsNpz(path); });
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
        QVERIFY2(message.contains(problem), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
