#include "base/atomic_file.h"
#include "base/error.h"
#include "schedule/model_widths.h"
#include "schedule/presets.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/schedule_json.h"
#include "schedule/search_txt.h"
#include "schedule/step_schedule.h"
#include "schedule/width.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using ddsm::ScheduleDocument;
using ddsm::ScheduleSegment;
using ddsm::StepSchedule;

Q_DECLARE_METATYPE(std::vector<ScheduleSegment>)

namespace {

const QString kDataDir = QStringLiteral(DDSM_SOURCE_DIR "/tests/schedule/data/");

// The message of the ddsm::Error that `action` throws; empty if it throws none.
template <typename Action>
QString errorFrom(Action&& action)
{
    try {
        action();
    } catch (const ddsm::Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

// Empty when `message` is an error message holding every fragment; otherwise
// says what is wrong, for QVERIFY2.
QString mismatch(const QString& message, const QStringList& fragments)
{
    if (message.isEmpty())
        return QStringLiteral("expected a ddsm::Error, none was thrown");
    for (const QString& fragment : fragments)
        if (!message.contains(fragment))
            return QStringLiteral("\"%1\" is not in the message: %2").arg(fragment, message);
    return QString();
}

// Checks that `statement` throws a ddsm::Error whose message holds every fragment.
#define VERIFY_ERROR(statement, ...)                                                    \
    do {                                                                                \
        const QString problem_ = mismatch(errorFrom([&] { statement; }), __VA_ARGS__); \
        QVERIFY2(problem_.isEmpty(), qPrintable(problem_));                             \
    } while (false)

std::vector<double> toStd(const QList<double>& values) { return {values.begin(), values.end()}; }
std::vector<int> toStd(const QList<int>& values) { return {values.begin(), values.end()}; }

// A version-1 document: the header fields, then `body`.
QString documentWith(const QString& body)
{
    return QStringLiteral(R"({"format": "ddsm-schedule", "version": 1, "axis": "training_timestep", )")
           + body + QStringLiteral("}");
}

// A schedule with every optional field filled in.
ScheduleDocument fullDocument()
{
    ScheduleDocument document;
    document.schedule = StepSchedule::fromRanges(10, 1.0, {{3, 6, 0.5}, {7, 9, 0.25}});
    document.name = "golden small-early";
    document.sampler = ddsm::SamplerRecord{"ddim", 4, 0.0, 1234};
    document.model = ddsm::ModelIdentity{
        "cifar10-slimmable", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"};
    document.costs_json = R"({"gflops_per_image":3.5,"speedup":1.58})";
    document.metrics_json = R"({"fid":4.2,"samples":4096})";
    return document;
}

std::string writeFile(const QTemporaryDir& dir, const QString& name, const QString& text)
{
    const std::string path = dir.filePath(name).toStdString();
    ddsm::writeFileAtomically(path, text.toStdString());
    return path;
}

}  // namespace

class TestSchedule final : public QObject {
    Q_OBJECT
private slots:
    // ------------------------------------------------------------ respacing

    void respacedTimesteps_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("steps");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("T=10, 4 steps") << 10 << 4 << QList<int>{9, 6, 3, 0};
        QTest::newRow("T=10, 1 step") << 10 << 1 << QList<int>{9};
        QTest::newRow("T=10, every step") << 10 << 10 << QList<int>{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        QTest::newRow("T=10, 3 steps: 4.5 rounds up") << 10 << 3 << QList<int>{9, 5, 0};
        QTest::newRow("T=7, 4 steps") << 7 << 4 << QList<int>{6, 4, 2, 0};
        QTest::newRow("T=5, 2 steps") << 5 << 2 << QList<int>{4, 0};
        QTest::newRow("T=1, 1 step") << 1 << 1 << QList<int>{0};
    }
    void respacedTimesteps()
    {
        QFETCH(int, T);
        QFETCH(int, steps);
        QFETCH(QList<int>, expected);
        QCOMPARE(ddsm::respacedTimesteps(T, steps), toStd(expected));
    }
    void respacedTimestepsThousandInFifty()
    {
        const std::vector<int> t = ddsm::respacedTimesteps(1000, 50);
        QCOMPARE(t.size(), size_t(50));
        QCOMPARE(t.front(), 999);
        QCOMPARE(t.back(), 0);
        // i = 48: 48 * 999 / 49 = 978.6; i = 24: 489.3; i = 1: 20.4.
        QCOMPARE(t[1], 979);
        QCOMPARE(t[25], 489);
        QCOMPARE(t[48], 20);
        for (size_t i = 1; i < t.size(); ++i)
            QVERIFY(t[i] < t[i - 1]);
    }
    void respacedTimestepsRejects_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<int>("steps");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("zero steps") << 10 << 0 << "steps = 0";
        QTest::newRow("negative steps") << 10 << -3 << "steps = -3";
        QTest::newRow("more steps than T") << 10 << 11 << "steps = 11 is outside 1..T = 10";
        QTest::newRow("T = 0") << 0 << 1 << "T = 0";
    }
    void respacedTimestepsRejects()
    {
        QFETCH(int, T);
        QFETCH(int, steps);
        QFETCH(QString, fragment);
        VERIFY_ERROR(ddsm::respacedTimesteps(T, steps), {fragment});
    }

    // ------------------------------------------------------------ the value type

    void uniformSchedule()
    {
        const StepSchedule s = StepSchedule::uniform(1000, 0.5);
        QCOMPARE(s.T(), 1000);
        QCOMPARE(s.widths(), std::vector<double>(1000, 0.5));
        QCOMPARE(s.widthAt(0), 0.5);
        QCOMPARE(s.widthAt(999), 0.5);
        QCOMPARE(s.segments(), (std::vector<ScheduleSegment>{{999, 0, 0.5}}));
        QCOMPARE(s.description(), std::string("0.5 for t 999..0"));
    }
    void defaultScheduleIsEmpty()
    {
        const StepSchedule s;
        QVERIFY(s.empty());
        QCOMPARE(s.T(), 0);
        QVERIFY(!errorFrom([&] { s.widthAt(0); }).isEmpty());
    }
    void fromRangesLaterRangesOverride()
    {
        const StepSchedule s =
            StepSchedule::fromRanges(10, 1.0, {{0, 2, 0.25}, {5, 6, 0.5}, {6, 8, 0.75}});
        const std::vector<double> expected{0.25, 0.25, 0.25, 1.0, 1.0, 0.5, 0.75, 0.75, 0.75, 1.0};
        QCOMPARE(s.widths(), expected);
    }
    void fromImportancePicksFirstThresholdReached()
    {
        // >= 0.8 -> 1.0, >= 0.4 -> 0.5, below -> 0.25.
        const std::vector<double> importance{0.1, 0.9, 0.5, 0.3, 0.8, -2.0, 0.4, 17.0};
        const StepSchedule s =
            StepSchedule::fromImportance(8, importance, {0.8, 0.4}, {1.0, 0.5, 0.25});
        const std::vector<double> expected{0.25, 1.0, 0.5, 0.25, 1.0, 0.25, 0.5, 1.0};
        QCOMPARE(s.widths(), expected);
    }
    void fromImportanceWithoutThresholdsIsUniform()
    {
        const StepSchedule s = StepSchedule::fromImportance(3, {5.0, -1.0, 0.0}, {}, {0.75});
        QCOMPARE(s, StepSchedule::uniform(3, 0.75));
    }
    void fromImportanceRejects_data()
    {
        QTest::addColumn<QList<double>>("importance");
        QTest::addColumn<QList<double>>("thresholds");
        QTest::addColumn<QList<double>>("widths");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("curve too short") << QList<double>{0.1, 0.2} << QList<double>{0.5}
                                         << QList<double>{1.0, 0.5}
                                         << "importance curve has 2 values, expected T = 3";
        QTest::newRow("thresholds ascending") << QList<double>{0.1, 0.2, 0.3}
                                              << QList<double>{0.2, 0.6}
                                              << QList<double>{1.0, 0.5, 0.25} << "descending";
        QTest::newRow("one width per threshold") << QList<double>{0.1, 0.2, 0.3}
                                                 << QList<double>{0.5} << QList<double>{1.0}
                                                 << "1 thresholds need 2 widths, got 1";
        QTest::newRow("NaN importance")
            << QList<double>{0.1, std::numeric_limits<double>::quiet_NaN(), 0.3}
            << QList<double>{0.5} << QList<double>{1.0, 0.5} << "importance at t = 1";
        QTest::newRow("width 0") << QList<double>{0.1, 0.2, 0.3} << QList<double>{0.5}
                                 << QList<double>{1.0, 0.0} << "widths[1] is 0.0";
    }
    void fromImportanceRejects()
    {
        QFETCH(QList<double>, importance);
        QFETCH(QList<double>, thresholds);
        QFETCH(QList<double>, widths);
        QFETCH(QString, fragment);
        VERIFY_ERROR(
            StepSchedule::fromImportance(3, toStd(importance), toStd(thresholds), toStd(widths)),
            {fragment});
    }
    void switchFraction_data()
    {
        QTest::addColumn<int>("T");
        QTest::addColumn<double>("fraction");
        QTest::addColumn<int>("firstT");  // the first width runs at t >= firstT
        QTest::newRow("T=10, 30%") << 10 << 0.3 << 7;
        QTest::newRow("T=1000, 30%") << 1000 << 0.3 << 700;
        QTest::newRow("T=1000, half") << 1000 << 0.5 << 500;
        QTest::newRow("T=10, 25%: 7.5 rounds to 8") << 10 << 0.25 << 8;
        QTest::newRow("none") << 10 << 0.0 << 10;
        QTest::newRow("all") << 10 << 1.0 << 0;
    }
    void switchFraction()
    {
        QFETCH(int, T);
        QFETCH(double, fraction);
        QFETCH(int, firstT);
        const StepSchedule s = StepSchedule::switchFraction(T, fraction, 0.25, 1.0);
        QCOMPARE(s.T(), T);
        for (int t = 0; t < T; ++t)
            QCOMPARE(s.widthAt(t), t >= firstT ? 0.25 : 1.0);
    }
    void switchFractionRejectsFractionOutsideUnit()
    {
        VERIFY_ERROR(StepSchedule::switchFraction(10, 1.5, 0.25, 1.0), {"1.5", "[0, 1]"});
    }
    void segments_data()
    {
        QTest::addColumn<QList<double>>("widths");
        QTest::addColumn<std::vector<ScheduleSegment>>("expected");
        QTest::newRow("three runs")
            << QList<double>{1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25}
            << std::vector<ScheduleSegment>{{9, 7, 0.25}, {6, 3, 0.5}, {2, 0, 1.0}};
        QTest::newRow("one-step runs") << QList<double>{0.5, 1.0, 0.5}
                                       << std::vector<ScheduleSegment>{
                                              {2, 2, 0.5}, {1, 1, 1.0}, {0, 0, 0.5}};
        QTest::newRow("single timestep") << QList<double>{0.75}
                                         << std::vector<ScheduleSegment>{{0, 0, 0.75}};
    }
    void segments()
    {
        QFETCH(QList<double>, widths);
        QFETCH(std::vector<ScheduleSegment>, expected);
        QCOMPARE(StepSchedule::fromWidths(toStd(widths)).segments(), expected);
    }
    void descriptionReadsInDenoisingOrder()
    {
        StepSchedule s = StepSchedule::uniform(1000, 1.0);
        s.setRange(0, 499, 0.5);
        QCOMPARE(s.description(), std::string("1.0 for t 999..500, 0.5 for t 499..0"));
        s.setWidth(250, 0.25);
        QCOMPARE(s.description(),
                 std::string("1.0 for t 999..500, 0.5 for t 499..251, 0.25 for t 250, "
                             "0.5 for t 249..0"));
    }
    void descriptionSummarisesManySegments()
    {
        const StepSchedule s =
            StepSchedule::fromWidths({1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5});
        QCOMPARE(s.description(3),
                 std::string("0.5 for t 9, 1.0 for t 8, 0.5 for t 7, and 7 more segments"));
    }
    void setWidthAndRangeEditInPlace()
    {
        StepSchedule s = StepSchedule::uniform(6, 1.0);
        s.setRange(1, 3, 0.5);
        s.setWidth(5, 0.25);
        QCOMPARE(s.widths(), (std::vector<double>{1.0, 0.5, 0.5, 0.5, 1.0, 0.25}));
        s.setRange(4, 4, 0.75);
        QCOMPARE(s.widthAt(4), 0.75);
    }
    void invalidWidthsRejected_data()
    {
        QTest::addColumn<double>("width");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("zero") << 0.0 << "is 0.0, outside (0, 1]";
        QTest::newRow("above one") << 1.5 << "is 1.5, outside (0, 1]";
        QTest::newRow("negative") << -0.25 << "is -0.25, outside (0, 1]";
        QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << "not a finite number";
        QTest::newRow("infinity") << std::numeric_limits<double>::infinity()
                                  << "not a finite number";
    }
    void invalidWidthsRejected()
    {
        QFETCH(double, width);
        QFETCH(QString, fragment);
        StepSchedule s = StepSchedule::uniform(4, 1.0);
        VERIFY_ERROR(StepSchedule::uniform(4, width), {fragment});
        VERIFY_ERROR(s.setWidth(2, width), {fragment, "t = 2"});
        VERIFY_ERROR(s.setRange(1, 3, width), {fragment});
        VERIFY_ERROR((StepSchedule::fromWidths({1.0, width})), {fragment, "t = 1"});
        VERIFY_ERROR((StepSchedule::fromRanges(4, 1.0, {{0, 1, width}})), {fragment});
        VERIFY_ERROR(StepSchedule::switchFraction(4, 0.5, width, 1.0), {fragment});
        QCOMPARE(s, StepSchedule::uniform(4, 1.0));  // failed edits change nothing
    }
    void timestepsOutsideTheAxisRejected()
    {
        StepSchedule s = StepSchedule::uniform(10, 1.0);
        VERIFY_ERROR(s.widthAt(10), {"t = 10 is outside [0, 10)"});
        VERIFY_ERROR(s.widthAt(-1), {"t = -1"});
        VERIFY_ERROR(s.setWidth(10, 0.5), {"t = 10"});
        VERIFY_ERROR(s.setRange(0, 10, 0.5), {"t = 10"});
        VERIFY_ERROR(s.setRange(5, 2, 0.5), {"reversed"});
        VERIFY_ERROR((s.widthsAt({0, 12})), {"t = 12"});
        VERIFY_ERROR(StepSchedule::uniform(0, 1.0), {"T = 0"});
        VERIFY_ERROR(StepSchedule::fromWidths({}), {"T must be positive"});
        QCOMPARE(s, StepSchedule::uniform(10, 1.0));
    }
    void samplerStepsLookUpTheirTimesteps()
    {
        // t 0..2 -> 1.0, t 3..5 -> 0.5, t 6..9 -> 0.25.
        const StepSchedule s = StepSchedule::fromRanges(10, 1.0, {{3, 5, 0.5}, {6, 9, 0.25}});
        QCOMPARE(s.widthsAt({0, 9, 4}), (std::vector<double>{1.0, 0.25, 0.5}));
        // 4 steps visit t = 9, 6, 3, 0; 3 steps visit t = 9, 5, 0.
        QCOMPARE(ddsm::stepWidths(s, 4), (std::vector<double>{0.25, 0.25, 0.5, 1.0}));
        QCOMPARE(ddsm::stepWidths(s, 3), (std::vector<double>{0.25, 0.5, 1.0}));
        QVERIFY(!errorFrom([&] { ddsm::stepWidths(s, 11); }).isEmpty());
    }
    void equality()
    {
        StepSchedule a = StepSchedule::uniform(5, 1.0);
        const StepSchedule b = StepSchedule::fromWidths({1.0, 1.0, 1.0, 1.0, 1.0});
        QVERIFY(a == b);
        a.setWidth(3, 0.5);
        QVERIFY(a != b);
        QVERIFY(StepSchedule::uniform(4, 1.0) != StepSchedule::uniform(5, 1.0));
    }
    void formatWidth_data()
    {
        QTest::addColumn<double>("width");
        QTest::addColumn<QString>("text");
        QTest::newRow("1.0") << 1.0 << "1.0";
        QTest::newRow("0.75") << 0.75 << "0.75";
        QTest::newRow("0.5") << 0.5 << "0.5";
        QTest::newRow("0.25") << 0.25 << "0.25";
        QTest::newRow("0.1") << 0.1 << "0.1";
        QTest::newRow("1/3") << 1.0 / 3.0 << "0.3333333333333333";
        QTest::newRow("tiny") << 1e-5 << "1e-05";
    }
    void formatWidth()
    {
        QFETCH(double, width);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(ddsm::formatWidth(width)), text);
    }

    // ------------------------------------------------------------ presets

    void presetsForFourWidths()
    {
        const auto presets = ddsm::schedulePresets(10, {1.0, 0.75, 0.5, 0.25});
        QStringList names;
        for (const auto& preset : presets) {
            names << QString::fromStdString(preset.name);
            QVERIFY(!preset.description.empty());
            QVERIFY(preset.description.find('\n') == std::string::npos);
            QCOMPARE(preset.schedule.T(), 10);
        }
        QCOMPARE(names, (QStringList{"uniform-1.0", "uniform-0.75", "uniform-0.5", "uniform-0.25",
                                     "small-early-large-late", "large-early-small-late",
                                     "switch-0.3"}));
        QCOMPARE(presets[1].schedule, StepSchedule::uniform(10, 0.75));
        // Noisier half = t 5..9.
        QCOMPARE(presets[4].schedule.widths(),
                 (std::vector<double>{1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.25, 0.25, 0.25, 0.25}));
        QCOMPARE(presets[5].schedule.widths(),
                 (std::vector<double>{0.25, 0.25, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0, 1.0, 1.0}));
        // First 30% of denoising = t 7..9.
        QCOMPARE(presets[6].schedule.widths(),
                 (std::vector<double>{1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.25, 0.25}));
        QVERIFY2(presets[6].description.find("t 9..7") != std::string::npos,
                 presets[6].description.c_str());
    }
    void presetSwitchAtThousandSteps()
    {
        const auto presets = ddsm::schedulePresets(1000, {1.0, 0.5});
        QCOMPARE(presets.size(), size_t(5));
        const auto& sw = presets.back();
        QCOMPARE(sw.name, std::string("switch-0.3"));
        QCOMPARE(sw.schedule.segments(),
                 (std::vector<ScheduleSegment>{{999, 700, 0.5}, {699, 0, 1.0}}));
        QVERIFY2(sw.description.find("t 999..700") != std::string::npos, sw.description.c_str());
    }
    void presetsForOneWidthAreUniformOnly()
    {
        const auto presets = ddsm::schedulePresets(10, {0.5});
        QCOMPARE(presets.size(), size_t(1));
        QCOMPARE(presets[0].name, std::string("uniform-0.5"));
    }
    void presetsRejectBadWidths()
    {
        VERIFY_ERROR((ddsm::schedulePresets(10, {0.5, 1.0})), {"descending", "1.0 follows 0.5"});
        VERIFY_ERROR(ddsm::schedulePresets(10, {}), {"no model widths"});
        VERIFY_ERROR((ddsm::schedulePresets(10, {1.0, 0.0})), {"0.0"});
    }

    // ------------------------------------------------------------ JSON

    void jsonRoundTripKeepsEveryField()
    {
        const ScheduleDocument original = fullDocument();
        const ScheduleDocument read = ddsm::scheduleFromJson(ddsm::scheduleToJson(original));
        QCOMPARE(read.schedule, original.schedule);
        QCOMPARE(read.name, original.name);
        QVERIFY(read.sampler == original.sampler);
        QVERIFY(read.model == original.model);
        QCOMPARE(read.costs_json, original.costs_json);
        QCOMPARE(read.metrics_json, original.metrics_json);
        QVERIFY(read == original);
    }
    void jsonRoundTripWithoutOptionalFields()
    {
        ScheduleDocument original;
        original.schedule = StepSchedule::switchFraction(1000, 0.3, 0.25, 1.0);
        const ScheduleDocument read = ddsm::scheduleFromJson(ddsm::scheduleToJson(original));
        QVERIFY(read == original);
        QVERIFY(!read.sampler);
        QVERIFY(!read.model);
        QVERIFY(read.costs_json.empty());
    }
    void jsonFileRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("chosen.json").toStdString();
        ScheduleDocument original = fullDocument();
        original.schedule = StepSchedule::fromImportance(
            1000, std::vector<double>(1000, 0.0), {0.5}, {1.0, 0.75});
        original.schedule.setRange(0, 99, 1.0);
        original.sampler->steps = 50;
        original.sampler->seed = 18446744073709551615ull;  // the full uint64 range survives
        original.model->sha256.clear();
        ddsm::saveSchedule(path, original);
        QVERIFY(ddsm::loadSchedule(path) == original);
        QVERIFY(ddsm::loadSchedule(path, 1000) == original);
    }
    void jsonIsSelfDescribing()
    {
        const nlohmann::json json = nlohmann::json::parse(ddsm::scheduleToJson(fullDocument()));
        QCOMPARE(json.at("format").get<std::string>(), std::string("ddsm-schedule"));
        QCOMPARE(json.at("version").get<int>(), 1);
        QCOMPARE(json.at("axis").get<std::string>(), std::string("training_timestep"));
        QVERIFY(json.at("direction").get<std::string>().find("t = 0 is the clean image")
                != std::string::npos);
        QCOMPARE(json.at("T").get<int>(), 10);
        QCOMPARE(json.at("widths").size(), size_t(10));
        QCOMPARE(json.at("widths")[9].get<double>(), 0.25);  // widths[t], t = 9 the noisiest
        QCOMPARE(json.at("segments")[0].at("t_begin").get<int>(), 9);
        QCOMPARE(json.at("sampler").at("seed").get<int>(), 1234);
        QCOMPARE(json.at("costs").at("speedup").get<double>(), 1.58);
    }
    void goldenJsonReadsBack()
    {
        const std::string path = (kDataDir + "golden_v1.json").toStdString();
        const ScheduleDocument read = ddsm::loadSchedule(path);
        QCOMPARE(read.schedule.widths(),
                 (std::vector<double>{1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25}));
        QCOMPARE(read.name, std::string("golden small-early"));
        QVERIFY(read.sampler);
        QCOMPARE(read.sampler->kind, std::string("ddim"));
        QCOMPARE(read.sampler->steps, 4);
        QCOMPARE(read.sampler->eta, 0.0);
        QCOMPARE(read.sampler->seed, std::uint64_t(1234));
        QVERIFY(read.model);
        QCOMPARE(read.model->name, std::string("cifar10-slimmable"));
        QVERIFY(read == fullDocument());
    }
    void goldenJsonIsWhatTheWriterWrites()
    {
        const std::string golden = ddsm::readWholeFile((kDataDir + "golden_v1.json").toStdString());
        QCOMPARE(QString::fromStdString(ddsm::scheduleToJson(fullDocument())),
                 QString::fromStdString(golden));
    }
    void jsonSegmentsRebuildWhenWidthsAbsent()
    {
        const QString text = documentWith(R"("T": 6, "segments": [
            {"t_begin": 5, "t_end": 4, "width": 0.25},
            {"t_begin": 0, "t_end": 3, "width": 1}])");
        const ScheduleDocument read = ddsm::scheduleFromJson(text.toStdString());
        QCOMPARE(read.schedule.widths(), (std::vector<double>{1.0, 1.0, 1.0, 1.0, 0.25, 0.25}));
    }
    void jsonSegmentsMustAgreeWithWidths()
    {
        // Agreeing segments (in any order and direction) are accepted.
        const QString agree = documentWith(R"("T": 4, "widths": [0.5, 0.5, 1.0, 1.0],
            "segments": [{"t_begin": 0, "t_end": 1, "width": 0.5}, {"t_begin": 3, "t_end": 2, "width": 1}])");
        QCOMPARE(ddsm::scheduleFromJson(agree.toStdString()).schedule.widths(),
                 (std::vector<double>{0.5, 0.5, 1.0, 1.0}));
        // A contradiction is refused at its first t (here 1: t = 0 agrees), whichever field is wrong.
        const QString contradict = documentWith(R"("T": 4, "widths": [0.5, 0.75, 1.0, 0.25],
            "segments": [{"t_begin": 3, "t_end": 0, "width": 0.5}])");
        VERIFY_ERROR(ddsm::scheduleFromJson(contradict.toStdString(), "c.json"),
                     {R"(c.json: "segments" and "widths" disagree at t = 1: segments say 0.5, widths[1] = 0.75)"});
        // Every file the writer makes reads back: its segments always agree.
        const ScheduleDocument written = fullDocument();
        QVERIFY(ddsm::scheduleFromJson(ddsm::scheduleToJson(written)) == written);
    }
    void jsonRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("missing comma")
            << "{\n  \"format\": \"ddsm-schedule\",\n  \"version\": 1\n  \"T\": 3\n}"
            << QStringList{"schedule.json:4:5: malformed JSON", "expected '}'", "byte 51"};
        QTest::newRow("truncated") << R"({"format": )"
                                   << QStringList{"schedule.json:1:12: malformed JSON",
                                                  "end of input"};
        QTest::newRow("NaN literal") << documentWith(R"("T": 1, "widths": [NaN])")
                                     << QStringList{"malformed JSON", "invalid literal"};
        QTest::newRow("number overflow") << documentWith(R"("T": 1, "widths": [1e999])")
                                         << QStringList{"schedule.json: malformed JSON",
                                                        "1e999"};
        QTest::newRow("wrong format tag")
            << R"({"format": "ddsm-network", "version": 1, "axis": "training_timestep", "T": 1, "widths": [1.0]})"
            << QStringList{R"(field "format" is "ddsm-network", expected "ddsm-schedule")"};
        QTest::newRow("no format tag") << R"({"version": 1, "T": 1, "widths": [1.0]})"
                                       << QStringList{R"(field "format" is missing)"};
        QTest::newRow("future version")
            << R"({"format": "ddsm-schedule", "version": 2, "axis": "training_timestep", "T": 1, "widths": [1.0]})"
            << QStringList{R"(field "version" is 2, newer than the supported version 1)"};
        QTest::newRow("version as a string")
            << R"({"format": "ddsm-schedule", "version": "1", "T": 1, "widths": [1.0]})"
            << QStringList{R"(field "version" is the string "1", expected an integer)"};
        QTest::newRow("sampler-step axis")
            << R"({"format": "ddsm-schedule", "version": 1, "axis": "sampler_step", "T": 1, "widths": [1.0]})"
            << QStringList{R"(field "axis" is "sampler_step", expected "training_timestep")"};
        QString widths999;
        for (int t = 0; t < 999; ++t)
            widths999 += t ? ", 1.0" : "1.0";
        QTest::newRow("999 widths for T = 1000")
            << documentWith(R"("T": 1000, "widths": [)" + widths999 + "]")
            << QStringList{R"(schedule.json: field "widths" has 999 entries, expected T = 1000)"};
        QTest::newRow("width 0") << documentWith(R"("T": 3, "widths": [1.0, 0, 0.5])")
                                 << QStringList{R"(field "widths[1]" is 0.0, outside (0, 1])"};
        QTest::newRow("width 1.5") << documentWith(R"("T": 3, "widths": [1.0, 0.5, 1.5])")
                                   << QStringList{R"(field "widths[2]" is 1.5, outside (0, 1])"};
        QTest::newRow("width as a string")
            << documentWith(R"("T": 1, "widths": ["0.5"])")
            << QStringList{R"(field "widths[0]" is the string "0.5", expected a number)"};
        QTest::newRow("width null") << documentWith(R"("T": 1, "widths": [null])")
                                    << QStringList{R"(field "widths[0]" is null)"};
        QTest::newRow("widths an object") << documentWith(R"("T": 1, "widths": {"0": 1.0})")
                                          << QStringList{R"(field "widths" is an object)"};
        QTest::newRow("T missing") << documentWith(R"("widths": [1.0])")
                                   << QStringList{R"(field "T" is missing)"};
        QTest::newRow("T zero") << documentWith(R"("T": 0, "widths": [])")
                                << QStringList{R"(field "T" is 0, expected a positive integer)"};
        QTest::newRow("T fractional") << documentWith(R"("T": 2.5, "widths": [1.0, 1.0])")
                                      << QStringList{R"(field "T" is 2.5, expected an integer)"};
        QTest::newRow("no widths, no segments") << documentWith(R"("T": 2)")
                                                << QStringList{R"(field "widths" is missing)"};
        QTest::newRow("segments leave a gap")
            << documentWith(R"("T": 4, "segments": [{"t_begin": 3, "t_end": 2, "width": 1.0},
                                                   {"t_begin": 0, "t_end": 0, "width": 0.5}])")
            << QStringList{R"(field "segments" leave t = 1 uncovered)"};
        QTest::newRow("segments overlap")
            << documentWith(R"("T": 4, "segments": [{"t_begin": 3, "t_end": 1, "width": 1.0},
                                                   {"t_begin": 1, "t_end": 0, "width": 0.5}])")
            << QStringList{R"(field "segments[1]" overlaps an earlier segment at t = 1)"};
        QTest::newRow("segment beyond T")
            << documentWith(R"("T": 4, "segments": [{"t_begin": 4, "t_end": 0, "width": 1.0}])")
            << QStringList{R"(field "segments[0].t_begin" is 4, expected 0..T-1 = 0..3)"};
        QTest::newRow("segment width 1.5")
            << documentWith(R"("T": 1, "segments": [{"t_begin": 0, "t_end": 0, "width": 1.5}])")
            << QStringList{R"(field "segments[0].width" is 1.5, outside (0, 1])"};
        QTest::newRow("more sampler steps than T")
            << documentWith(R"("T": 10, "widths": [1,1,1,1,1,1,1,1,1,1],
                "sampler": {"kind": "ddim", "steps": 11, "eta": 0.0, "seed": 1})")
            << QStringList{R"(field "sampler.steps" is 11, expected 1..T = 1..10)"};
        QTest::newRow("negative seed")
            << documentWith(R"("T": 1, "widths": [1.0],
                "sampler": {"kind": "ddim", "steps": 1, "eta": 0.0, "seed": -1})")
            << QStringList{R"(field "sampler.seed" is -1, expected a non-negative integer)"};
        QTest::newRow("sampler without kind")
            << documentWith(R"("T": 1, "widths": [1.0], "sampler": {"steps": 1, "eta": 0.0, "seed": 1})")
            << QStringList{R"(field "sampler.kind" is missing)"};
        QTest::newRow("model without name")
            << documentWith(R"("T": 1, "widths": [1.0], "model": {"sha256": "ab"})")
            << QStringList{R"(field "model.name" is missing)"};
        QTest::newRow("costs not an object")
            << documentWith(R"("T": 1, "widths": [1.0], "costs": 3)")
            << QStringList{R"(field "costs" is 3, expected an object)"};
        QTest::newRow("name not a string") << documentWith(R"("name": 7, "T": 1, "widths": [1.0])")
                                           << QStringList{R"(field "name" is 7, expected a string)"};
        QTest::newRow("neither JSON object nor list") << R"("just a string")"
                                                      << QStringList{"not a schedule file"};
        QTest::newRow("empty file") << " \n" << QStringList{"the file is empty"};
    }
    void jsonRejects()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, fragments);
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "schedule.json", text);
        fragments << QString::fromStdString(path + ":");  // every message names the file
        VERIFY_ERROR(ddsm::loadSchedule(path), fragments);
    }
    void jsonTopLevelMustBeAnObject()
    {
        VERIFY_ERROR(ddsm::scheduleFromJson("[1.0, 0.5]", "s.json"),
                     {"s.json: expected a JSON object at the top level, found an array"});
    }
    void loadChecksExpectedT()
    {
        QTemporaryDir dir;
        const std::string json = writeFile(dir, "s.json", documentWith(R"("T": 2, "widths": [1, 1])"));
        const std::string txt = writeFile(dir, "search.txt", "[1.0, 0.5]");
        VERIFY_ERROR(ddsm::loadSchedule(json, 1000), {"s.json", "expected T = 1000"});
        VERIFY_ERROR(ddsm::loadSchedule(txt, 1000), {"search.txt", "has 2 widths, expected T = 1000"});
        QCOMPARE(ddsm::loadSchedule(txt, 2).schedule.T(), 2);
    }
    void loadMissingFileNamesPath()
    {
        VERIFY_ERROR(ddsm::loadSchedule("/no/such/dir/schedule.json"), {"/no/such/dir/schedule.json"});
    }
    void loadSniffsContentNotExtension()
    {
        QTemporaryDir dir;
        const std::string list_as_json = writeFile(dir, "list.json", "[0.5, 1.0]\n");
        const std::string json_as_txt =
            writeFile(dir, "doc.txt", documentWith(R"("T": 1, "widths": [0.25])"));
        QCOMPARE(ddsm::loadSchedule(list_as_json).schedule.widths(), (std::vector<double>{0.5, 1.0}));
        QCOMPARE(ddsm::loadSchedule(json_as_txt).schedule.widths(), std::vector<double>{0.25});
    }
    void saveRejectsUnknownExtension()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("schedule.yaml").toStdString();
        VERIFY_ERROR(ddsm::saveSchedule(path, fullDocument()), {QString::fromStdString(path), "\".yaml\""});
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }
    void saveRejectsInconsistentDocument()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("schedule.json").toStdString();
        ScheduleDocument bad_steps = fullDocument();
        bad_steps.sampler->steps = 11;
        VERIFY_ERROR(ddsm::saveSchedule(path, bad_steps), {QString::fromStdString(path), "steps = 11"});
        ScheduleDocument bad_costs = fullDocument();
        bad_costs.costs_json = "[1, 2]";
        VERIFY_ERROR(ddsm::saveSchedule(path, bad_costs), {"costs must be a JSON object"});
        VERIFY_ERROR(ddsm::saveSchedule(path, ScheduleDocument{}), {"empty schedule"});
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
    }

    // ------------------------------------------------------------ search.txt

    void searchTxtImportsHandWrittenLiteral()
    {
        // Blank first line, ints, "1.", ".5", an exponent, a tab, a trailing comma.
        const std::string path = (kDataDir + "search_multiline.txt").toStdString();
        const ScheduleDocument read = ddsm::loadSchedule(path);
        QCOMPARE(read.schedule.widths(),
                 (std::vector<double>{1.0, 1.0, 1.0, 0.75, 0.5, 0.5, 0.25, 0.25}));
        QCOMPARE(read.name, std::string("search_multiline"));
    }
    void searchTxtAcceptsWindowsLineEndings()
    {
        const StepSchedule s = ddsm::scheduleFromSearchTxt("[0.25,\r\n 1.0]\r\n");
        QCOMPARE(s.widths(), (std::vector<double>{0.25, 1.0}));
    }
    void searchTxtExportIsOneExactLine()
    {
        const StepSchedule s = StepSchedule::fromWidths({1.0, 0.75, 0.5, 0.25, 1.0 / 3.0});
        QCOMPARE(ddsm::scheduleToSearchTxt(s),
                 std::string("[1.0, 0.75, 0.5, 0.25, 0.3333333333333333]\n"));
    }
    void searchTxtFileRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("search.txt").toStdString();
        StepSchedule s = StepSchedule::uniform(1000, 1.0);
        for (int t = 0; t < 1000; t += 3)
            s.setWidth(t, t % 2 ? 0.25 : 0.75);
        ScheduleDocument document;
        document.schedule = s;
        ddsm::saveSchedule(path, document);
        const ScheduleDocument read = ddsm::loadSchedule(path, 1000);
        QCOMPARE(read.schedule, s);
        QCOMPARE(read.name, std::string("search"));
        const std::string text = ddsm::readWholeFile(path);
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 1L);
    }
    void searchTxtRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("letters") << "[0.5,\n 0.25,\n  1.0, abc]"
                                 << "search.txt:3:8: expected a number or ']', found 'a'";
        QTest::newRow("a letter") << "[0.5, x]" << "search.txt:1:7: expected a number or ']', found 'x'";
        QTest::newRow("nan") << "[nan]" << "search.txt:1:2: expected a number, found 'n'";
        QTest::newRow("unclosed") << "[0.5, 0.25"
                                  << "search.txt:1:11: expected ',' or ']', found end of file";
        QTest::newRow("unclosed after comma") << "[0.5,\n"
                                              << "search.txt:2:1: expected a number or ']', found end of file";
        QTest::newRow("empty list") << "[]" << "search.txt:1:2: empty list";
        QTest::newRow("empty list over lines") << "[ \n ]" << "search.txt:2:2: empty list";
        QTest::newRow("nested list") << "[[0.5, 1.0]]" << "search.txt:1:2: expected a number, found '['";
        QTest::newRow("nested list later") << "[0.5, [1.0]]"
                                           << "search.txt:1:7: expected a number or ']', found '['";
        QTest::newRow("width 1.5") << "[1.0, 1.5]" << "search.txt:1:7: width at t = 1 is 1.5, outside (0, 1]";
        QTest::newRow("width 0") << "[0, 1.0]" << "search.txt:1:2: width at t = 0 is 0.0, outside (0, 1]";
        QTest::newRow("negative width") << "[1.0,\n -0.5]" << "search.txt:2:2: width at t = 1 is -0.5";
        QTest::newRow("overflow") << "[1e999]" << "search.txt:1:2: width 1e999 at t = 0 is out of range";
        QTest::newRow("missing comma") << "[0.5 0.25]" << "search.txt:1:6: expected ',' or ']', found '0'";
        QTest::newRow("double comma") << "[0.5,,0.25]" << "search.txt:1:6: expected a number or ']', found ','";
        QTest::newRow("an expression") << "[0.5*2]" << "search.txt:1:5: expected ',' or ']', found '*'";
        QTest::newRow("exponent without digits") << "[1e]" << "search.txt:1:4: expected the digits of an exponent, found ']'";
        QTest::newRow("code after the list") << "[0.5]\nprint(1)"
                                             << "search.txt:2:1: expected nothing after the closing ']', found 'p'";
        QTest::newRow("a tuple") << "(0.5, 0.25)" << "search.txt:1:1: expected '[' to open the list, found '('";
        QTest::newRow("no text") << "" << "search.txt:1:1: expected '[' to open the list, found end of file";
        QTest::newRow("non-ASCII") << QString::fromUtf8("[0.5, \xC2\xBD]")
                                   << "search.txt:1:7: expected a number or ']', found byte 0xC2";
    }
    void searchTxtRejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, fragment);
        VERIFY_ERROR(ddsm::scheduleFromSearchTxt(text.toStdString(), "search.txt"), {fragment});
    }
    // The schedules shipped in resources/ load, and each file's two forms
    // agree: its widths per t and its segments.
    void shippedSchedulesLoad()
    {
        // resources/schedules/ and the models' starting schedules (NAME.schedule.json).
        QStringList paths;
        const QDir dir(QStringLiteral(DDSM_SOURCE_DIR "/resources/schedules"));
        for (const QString& file : dir.entryList({QStringLiteral("*.json"), QStringLiteral("*.txt")}, QDir::Files))
            paths << dir.filePath(file);
        const QDir models(QStringLiteral(DDSM_SOURCE_DIR "/models"));
        for (const QString& file : models.entryList({QStringLiteral("*.schedule.json")}, QDir::Files))
            paths << models.filePath(file);
        QVERIFY(paths.size() >= 3);
        for (const QString& file : paths) {
            const auto path = file.toStdString();
            const ScheduleDocument document = ddsm::loadSchedule(path, 1000);
            QCOMPARE(int(document.schedule.widths().size()), 1000);
            QVERIFY2(!document.name.empty(), qPrintable(file));
            const auto json = nlohmann::json::parse(ddsm::readWholeFile(path));
            std::vector<double> fromSegments(1000, 0.0);
            for (const auto& s : json.at("segments"))
                for (int t = s.at("t_end").get<int>(); t <= s.at("t_begin").get<int>(); ++t)
                    fromSegments[size_t(t)] = s.at("width").get<double>();
            QCOMPARE(fromSegments, document.schedule.widths());
        }
    }
    void searchTxtErrorsNameTheFile()
    {
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "search.txt", "[0.5,\n 0.25, x]\n");
        VERIFY_ERROR(ddsm::loadSchedule(path), {QString::fromStdString(path + ":2:8: ")});
    }
    void modelWidthsAreRequired()
    {
        const std::vector<double> model{1.0, 0.75, 0.5, 0.25};
        std::vector<double> widths(10, 1.0);
        widths[7] = 0.6;
        widths[3] = widths[4] = 0.6;
        widths[9] = 0.9;
        const auto schedule = StepSchedule::fromWidths(widths);
        VERIFY_ERROR(ddsm::requireModelWidths(schedule, model, "s.json"),
                     {"s.json: width 0.6 at t = 3 (and 3 more timesteps) is not one of the model's widths "
                      "(1.0, 0.75, 0.5, 0.25)"});
        VERIFY_ERROR(ddsm::requireModelWidths(StepSchedule::uniform(4, 0.3), {1.0, 0.5}, "w"),
                     {"w: width 0.3 at t = 0 (and 3 more timesteps) is not one of the model's widths (1.0, 0.5)"});
        std::vector<double> one(5, 0.5);
        one[4] = 0.4;
        VERIFY_ERROR(ddsm::requireModelWidths(StepSchedule::fromWidths(one), model, "x"),
                     {"x: width 0.4 at t = 4 is not"});
        // The model's own widths pass, including the last bit of round-off.
        ddsm::requireModelWidths(StepSchedule::fromWidths({1.0, 0.75 + 1e-12, 0.5, 0.25}), model, "ok");
    }
    void snappingPicksTheNearestModelWidth()
    {
        const std::vector<double> model{1.0, 0.75, 0.5, 0.25};
        // 0.6 -> 0.5, 0.9 -> 1.0, 0.625 is halfway: the wider, 0.1 -> 0.25.
        const auto snapped = ddsm::snapToModelWidths(
            StepSchedule::fromWidths({0.6, 0.6, 1.0, 0.9, 0.625, 0.1, 0.25}), model);
        QCOMPARE(snapped.schedule.widths(), (std::vector<double>{0.5, 0.5, 1.0, 1.0, 0.75, 0.25, 0.25}));
        QCOMPARE(snapped.snapped.size(), size_t(4));
        QCOMPARE(QString::fromStdString(snapped.note()),
                 QString("snapped to the model's widths: 0.1 -> 0.25 (1 timestep), 0.6 -> 0.5 (2 timesteps), "
                         "0.625 -> 0.75 (1 timestep), 0.9 -> 1.0 (1 timestep)"));
        const auto untouched = ddsm::snapToModelWidths(StepSchedule::fromWidths({0.5, 1.0}), model);
        QVERIFY(untouched.snapped.empty());
        QVERIFY(untouched.note().empty());
        QCOMPARE(untouched.schedule.widths(), (std::vector<double>{0.5, 1.0}));
    }
    void folderIsNotAScheduleFile()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("s.json"));
        const std::string path = dir.filePath("s.json").toStdString();
        VERIFY_ERROR(ddsm::loadSchedule(path), {QString::fromStdString(path + " is a folder, not a file")});
    }
};

QTEST_APPLESS_MAIN(TestSchedule)
#include "test_schedule.moc"
