// The desktop application, offscreen: opening models, errors, denoising frames,
// cancellation, live costs, PNG settings round trip, workspaces, a screenshot.
#include "tiny_model.h"

#include "compare_panel.h"
#include "denoising_panel.h"
#include "main_window.h"
#include "metrics_panel.h"
#include "model_panel.h"
#include "model_session.h"
#include "pixel_view.h"
#include "quality_plot.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "user_messages.h"

#include "engine/flops.h"
#include "family/checkpoint_entry.h"
#include "io/png_text.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "timeline/schedule_document_model.h"
#include "timeline/schedule_timeline.h"

#include <algorithm>

#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QFile>
#include <QLocale>
#include <QMimeData>
#include <QSignalSpy>
#include <QTableWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace ddsm;
using namespace ddsm::ui;

namespace {

// Records instead of showing message boxes, so nothing blocks offscreen.
class RecordedMessages : public UserMessages {
public:
    QStringList* errors;
    bool answer = false;
    SaveChoice saveChoice = SaveChoice::Discard;
    int saveQuestions = 0;
    explicit RecordedMessages(QStringList* sink) : errors(sink) {}
    void error(const QString& title, const QString& text) override { errors->append(title + ": " + text); }
    bool ask(const QString&, const QString&) override { return answer; }
    SaveChoice askToSave(const QString&, const QString&) override
    {
        ++saveQuestions;
        return saveChoice;
    }
};

// Everything a user sees moving: the window, the docks, the timeline.
struct Geometry {
    QSize window;
    QList<QRect> docks;
    QRectF plot;
    bool operator==(const Geometry& o) const { return window == o.window && docks == o.docks && plot == o.plot; }
};
Geometry geometryOf(MainWindow& window, ScheduleTimeline* timeline)
{
    Geometry g{window.size(), {}, timeline->layout().plot()};
    g.docks << window.views()->geometry();
    for (const char* name : {"ScheduleDock", "MetricsDock", "ModelDock"})
        g.docks << window.dock(name)->geometry();
    return g;
}

// Generous: only a failing test waits this long (the machine may be shared).
const int kWaitMs = 300'000;

}  // namespace

class TestUi final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString tinyPath_, slowerPath_, fmnistPath_;
    int64_t tinyParameters_ = 0;
    QStringList errors_;

    std::unique_ptr<MainWindow> openWindow(const QString& model, int steps = 10)
    {
        auto window = std::make_unique<MainWindow>(2);
        window->setUserMessages(std::make_unique<RecordedMessages>(&errors_));
        window->resize(1400, 900);
        window->show();
        SamplerChoice choice = window->samplerChoice();
        choice.steps = steps;
        choice.count = 16;
        window->setSamplerChoice(choice);
        QSignalSpy ready(window.get(), &MainWindow::modelReady);
        window->openModel(model);
        if (!ready.wait(kWaitMs))
            return nullptr;
        return window;
    }

    // Waits until the window's current denoising run has finished.
    static bool waitForRun(MainWindow& window)
    {
        QTest::qWait(400);  // let a debounced rerun start
        if (!QTest::qWaitFor([&] { return !window.session()->isRunning(window.denoisingJob()); }, kWaitMs))
            return false;
        return window.denoisingPanel()->lastOutcome().job == window.denoisingJob();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("DDSM Studio Test");
        QCoreApplication::setApplicationName("test_ui");
        QVERIFY(dir_.isValid());
        tinyPath_ = dir_.filePath("tiny.safetensors");
        slowerPath_ = dir_.filePath("slower.safetensors");
        tinyParameters_ = writeModel(tinyPath_.toStdString(), tinyConfig());
        writeModel(slowerPath_.toStdString(), slowerConfig());
        fmnistPath_ = dir_.filePath("fmnist-shaped.safetensors");
        writeModel(fmnistPath_.toStdString(), fmnistShapedConfig());
    }

    void init() { errors_.clear(); }

    void modelDockShowsParametersAndMacsPerWidth()
    {
        auto window = openWindow(tinyPath_);
        QVERIFY(window);
        ModelPanel* panel = window->modelPanel();
        QCOMPARE(panel->parameterText(), QLocale::c().toString(qlonglong(tinyParameters_)));
        const auto config = tinyConfig();
        QCOMPARE(panel->widthRows(), int(config.widths.size()));
        for (int row = 0; row < int(config.widths.size()); ++row)
            QCOMPARE(panel->macsText(row), ModelPanel::formatMacs(totalMacs(config, config.widths[size_t(row)])));
        QCOMPARE(ModelPanel::formatMacs(120633856), QStringLiteral("120.63 M"));
        // The latency profile runs by itself after opening and fills every width.
        QTRY_VERIFY_WITH_TIMEOUT(!window->session()->latency().empty(), kWaitMs);
        for (int row = 0; row < panel->widthRows(); ++row)
            QVERIFY2(panel->latencyText(row).toDouble() > 0, qPrintable(panel->latencyText(row)));
        QVERIFY(errors_.isEmpty());
    }

    void paperCheckpointOpensLikeAModel()
    {
        const QString checkpoint = QStringLiteral(DDSM_SHARED_DIR "/reference/ddsm-small-golden.pt");
        if (!QFileInfo::exists(checkpoint))
            QSKIP("the paper's reference checkpoint is not beside the repository (../shared/reference)");
        if (!checkpointPythonHasTorch())
            QSKIP("/usr/bin/python3 cannot import torch, needed to read a torch.save checkpoint");
        auto window = openWindow(checkpoint, 4);
        QVERIFY2(window, qPrintable(errors_.join("; ")));
        ModelPanel* panel = window->modelPanel();
        // The golden checkpoint: ch 64, ch_mult (1, 2), 16x16x3, widths 1 and 0.5 (see its README).
        QVERIFY2(panel->architectureText().contains("16x16x3, ch 64 x (1,2)"), qPrintable(panel->architectureText()));
        QCOMPARE(panel->widthRows(), 2);
        QVERIFY2(panel->widthSourceText(1).contains("width 0.5"), qPrintable(panel->widthSourceText(1)));
        QVERIFY(panel->parameterText().remove(',').toLongLong() > 0);
        QVERIFY(errors_.isEmpty());
    }

    void corruptModelShowsErrorAndKeepsCurrentModel()
    {
        auto window = openWindow(tinyPath_);
        QVERIFY(window);
        const QString corrupt = dir_.filePath("corrupt.safetensors");
        {
            QFile good(tinyPath_), bad(corrupt);
            QVERIFY(good.open(QIODevice::ReadOnly) && bad.open(QIODevice::WriteOnly));
            bad.write(good.read(good.size() / 2));  // truncated: the header promises more bytes
        }
        QSignalSpy reported(window.get(), &MainWindow::errorReported);
        window->openModel(corrupt);
        QVERIFY(reported.wait(kWaitMs));
        QCOMPARE(reported.first().at(0).toString(), QStringLiteral("Could not open model"));
        QVERIFY(reported.first().at(1).toString().contains("corrupt.safetensors"));
        QCOMPARE(errors_.size(), 1);
        QVERIFY(window->session()->hasModel());
        QCOMPARE(window->session()->model().path, QFileInfo(tinyPath_).absoluteFilePath());
        QCOMPARE(window->modelPanel()->parameterText(), QLocale::c().toString(qlonglong(tinyParameters_)));
    }

    void denoisingViewReceivesEveryStep()
    {
        const int steps = 12;
        auto window = openWindow(tinyPath_, steps);
        QVERIFY(window);
        QVERIFY(waitForRun(*window));
        const auto& frames = window->denoisingPanel()->frames();
        QCOMPARE(int(frames.size()), steps);
        const auto timesteps = respacedTimesteps(tinyConfig().diffusion.T, steps);
        for (int i = 0; i < steps; ++i) {
            QCOMPARE(frames[size_t(i)].step, i);
            QCOMPARE(frames[size_t(i)].timestep, timesteps[size_t(i)]);
            QVERIFY(!frames[size_t(i)].xt.isNull() && !frames[size_t(i)].x0.isNull());
        }
        QVERIFY(!window->denoisingPanel()->lastOutcome().cancelled);
        QVERIFY(!window->denoisingPanel()->finishedGrid().isNull());
        // Zooming on a tile shows that sample.
        window->denoisingPanel()->zoomOnSample(3);
        QCOMPARE(window->denoisingPanel()->zoomedSample(), 3);
    }

    void samplingJobCanBeCancelled()
    {
        ModelSession session(2);
        QSignalSpy opened(&session, &ModelSession::modelOpened);
        session.openModel(slowerPath_);
        QVERIFY(opened.wait(kWaitMs));

        const int steps = 100;
        SamplingRequest request;
        request.sampler.steps = steps;
        request.sampler.count = 32;
        request.stepWidths.assign(steps, 1.0);
        int frames = 0;
        int job = 0;
        connect(&session, &ModelSession::frameReady, this, [&](const StepFrame& frame) {
            if (frame.job == job && ++frames == 1)
                session.cancel(job);  // stops before the next network call
        });
        QSignalSpy finished(&session, &ModelSession::samplingFinished);
        QSignalSpy ended(&session, &ModelSession::jobEnded);
        job = session.startSampling(request, "cancel me");
        QVERIFY(job > 0);
        QVERIFY(finished.wait(kWaitMs));
        const auto outcome = finished.first().at(0).value<SamplingOutcome>();
        QVERIFY(outcome.cancelled);
        QVERIFY2(outcome.stepsRun < steps, qPrintable(QString::number(outcome.stepsRun)));
        QVERIFY(frames < steps);
        QVERIFY(!session.isRunning(job));
        QCOMPARE(ended.last().at(1).toBool(), true);
    }

    void scheduleEditsUpdateGflops()
    {
        const int steps = 10;
        auto window = openWindow(tinyPath_, steps);
        QVERIFY(window);
        const auto config = tinyConfig();
        const auto macsAt = [&](double w) { return double(totalMacs(config, w)); };
        const auto expectedGflops = [&](const std::vector<double>& widths) {
            return scheduleCost(widths, 1.0, macsAt).gflopsPerImage();
        };
        QCOMPARE(window->metricsPanel()->gflopsText(), QString::number(expectedGflops(std::vector<double>(steps, 1.0)), 'f', 4));

        // Steps 0..3 (the noisiest) to half width, through the document model.
        window->document()->setStepRangeWidth(0, 3, 0.5);
        std::vector<double> widths(steps, 1.0);
        std::fill(widths.begin(), widths.begin() + 4, 0.5);
        QCOMPARE(window->metricsPanel()->gflopsText(), QString::number(expectedGflops(widths), 'f', 4));
        QVERIFY(qFuzzyCompare(window->metricsPanel()->figures().gflopsPerImage, expectedGflops(widths)));
        QVERIFY(window->metricsPanel()->figures().saving > 0.0);

        // Undo goes back to the full-width cost.
        window->document()->undoStack()->undo();
        QCOMPARE(window->metricsPanel()->gflopsText(), QString::number(expectedGflops(std::vector<double>(steps, 1.0)), 'f', 4));
    }

    void gridPngRoundTripRestoresScheduleAndSampler()
    {
        auto window = openWindow(tinyPath_, 8);
        QVERIFY(window);
        QVERIFY(window->document()->applyPreset("small-early-large-late"));
        SamplerChoice choice = window->samplerChoice();
        choice.seed = 4242;
        choice.count = 9;
        window->setSamplerChoice(choice);
        QVERIFY(waitForRun(*window));
        const StepSchedule exported = window->document()->schedule();
        const QString png = dir_.filePath("grid.png");
        QVERIFY(window->exportGridPng(png));

        // The chunk has the CLI's shape.
        const auto settings = nlohmann::json::parse(readPngText(png.toStdString()).at(kPngSettingsKey));
        for (const char* key : {"schedule", "model", "sampler", "count"})
            QVERIFY2(settings.contains(key), key);
        QCOMPARE(settings["count"].get<int>(), 9);

        // Change everything, then reopen the PNG.
        window->document()->applyPreset("uniform-0.5");
        SamplerChoice other = choice;
        other.seed = 7;
        other.count = 4;
        window->setSamplerChoice(other);
        QVERIFY(window->document()->schedule() != exported);
        window->openFile(png);
        QCOMPARE(window->document()->schedule(), exported);
        QCOMPARE(window->samplerChoice().seed, uint64_t(4242));
        QCOMPARE(window->samplerChoice().count, 9);
        QCOMPARE(window->samplerChoice().steps, 8);
        QVERIFY(errors_.isEmpty());
    }

    void workspaceRoundTrip()
    {
        auto window = openWindow(tinyPath_, 6);
        QVERIFY(window);
        QVERIFY(window->document()->applyPreset("switch-0.3"));
        const StepSchedule saved = window->document()->schedule();
        const QString path = dir_.filePath("work.ddsm.json");
        QVERIFY(window->saveWorkspace(path));
        QVERIFY(!window->isDirty());

        auto second = std::make_unique<MainWindow>(2);
        second->setUserMessages(std::make_unique<RecordedMessages>(&errors_));
        QSignalSpy ready(second.get(), &MainWindow::modelReady);
        QVERIFY(second->openWorkspace(path));
        QVERIFY(ready.wait(kWaitMs));
        QCOMPARE(second->document()->schedule(), saved);
        QCOMPARE(second->samplerChoice().steps, 6);
        QVERIFY(errors_.isEmpty());
    }

    void compareRunsPanesFromTheSameNoise()
    {
        auto window = openWindow(tinyPath_, 6);
        QVERIFY(window);
        ComparePanel* compare = window->comparePanel();
        QCOMPARE(compare->paneCount(), 2);
        // The difference map starts on two different panes: current vs full width.
        QCOMPARE(compare->differencePanes(), std::make_pair(0, 1));
        compare->run();
        QTRY_VERIFY_WITH_TIMEOUT(!compare->isRunning(), kWaitMs);
        QCOMPARE(compare->paneFrames(0), 6);
        QCOMPARE(compare->paneFrames(1), 6);
        // Current schedule is full width here: same noise, same network, same pixels.
        QCOMPARE(compare->paneImage(0), compare->paneImage(1));
        QVERIFY(!compare->differenceImage().isNull());
    }

    void predictedQualityFollowsEdits()
    {
        const int steps = 10;
        auto window = openWindow(tinyPath_, steps);
        QVERIFY(window);
        // Nothing beside the model for its sampler: the Metrics dock says so where the number would be.
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("— (none for ddim10)"));
        // A hand-made calibration: two timestep bins, a narrow-width penalty per bin.
        const QString path = dir_.filePath("predictor.json");
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(R"({"format": "ddsm-distance-predictor", "version": 1, "T": 100, "steps": 10,
                "bin_edges": [0, 50, 100], "widths": [1.0, 0.5], "base": 10.0,
                "penalty": [[0.0, 2.0], [0.0, 5.0]], "estimator": "FID"})");
        }
        if (!window->loadQualityPredictor(path))
            QSKIP("built without the evaluation module");
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("FID 10.00 (predicted)"));
        // Steps 0..4 visit t = 99, 88, 77, 66, 55: all of bin [50, 100).
        window->document()->setStepRangeWidth(0, 4, 0.5);
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("FID 15.00 (predicted)"));
        // Steps 7..9 are 3 of the 5 steps in bin [0, 50): 15 + 2 x 3/5.
        window->document()->setStepRangeWidth(7, 9, 0.5);
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("FID 16.20 (predicted)"));
        // Calibrated for 10 steps only: another step count shows no number.
        window->document()->setSteps(20);
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("— (none for ddim20)"));
    }

    void backgroundFidMatchesTheCoreAndFollowsEdits()
    {
        const int steps = 4, samples = 120, batch = 40;
        auto window = openWindow(fmnistPath_, steps);
        QVERIFY(window);
        window->setBackgroundQuality(true, samples, batch);
        MetricsPanel* metrics = window->metricsPanel();
        const QString done = QStringLiteral("n=%1").arg(samples);
        QTRY_VERIFY_WITH_TIMEOUT(metrics->measuredFidText().endsWith(done), kWaitMs);
        // The same number as the core computes from the same noise and schedule.
        const std::vector<double> full(100, 1.0);
        const double expected = referenceFid(fmnistPath_.toStdString(), steps, 0, samples, batch, full);
        const double shown = metrics->measuredFidText().section(' ', 0, 0).toDouble();
        QVERIFY2(std::abs(shown - expected) <= 0.005 + 1e-6 * expected,
                 qPrintable(QStringLiteral("%1 vs %2").arg(shown).arg(expected)));
        QCOMPARE(metrics->plot()->measuredCount(), 1);
        QVERIFY(errors_.isEmpty());

        // An edit drops the number and measures the new schedule after its run.
        window->document()->setStepRangeWidth(0, 1, 0.5);
        QVERIFY(!metrics->measuredFidText().endsWith(done));
        QTRY_VERIFY_WITH_TIMEOUT(metrics->measuredFidText().endsWith(done), kWaitMs);
        QCOMPARE(metrics->plot()->measuredCount(), 2);

        // Clicking the full-width point on the plot loads its schedule back.
        QualityPlot* plot = metrics->plot();
        plot->replot();
        const auto& data = *plot->measuredGraph()->data();
        // Full width is the costliest schedule measured (its FID may differ from the
        // edited one's by less than float rounding on an untrained network).
        int fullIndex = 0;
        for (int i = 1; i < data.size(); ++i)
            if (data.at(i)->key > data.at(fullIndex)->key)
                fullIndex = i;
        QVERIFY2(std::abs(data.at(fullIndex)->value - expected) <= 0.005 + 1e-6 * expected,
                 qPrintable(QStringLiteral("%1 vs %2").arg(data.at(fullIndex)->value).arg(expected)));
        const QPoint pixel(int(plot->xAxis->coordToPixel(data.at(fullIndex)->key)),
                           int(plot->yAxis->coordToPixel(data.at(fullIndex)->value)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel);
        QCOMPARE(window->document()->schedule(), StepSchedule::uniform(100, 1.0));
    }

    void theLegendShowsOnlyWhereItFits()
    {
        QualityPlot plot;
        QualityPlot::Point p;
        p.schedule = StepSchedule::uniform(100, 1.0);
        p.gflops = 10;
        p.fid = 40;
        p.low = 35;
        p.high = 45;
        p.samples = 100;
        plot.addMeasured(p, 50);
        plot.setCurrent(10, 40.0);
        plot.resize(700, 500);
        plot.replot();
        QVERIFY(plot.legend->visible());
        const QRect legend = plot.legend->outerRect(), axes = plot.axisRect()->rect();
        QVERIFY2(axes.contains(legend), "the legend sits inside the axes");
        QVERIFY2(legend.left() - axes.left() < 20 && axes.bottom() - legend.bottom() < 20, "in the bottom left corner");
        // A plot as small as the 1024x700 window's keeps its points in view.
        plot.resize(240, 180);
        plot.replot();
        QVERIFY(!plot.legend->visible());
        plot.resize(700, 500);
        plot.replot();
        QVERIFY(plot.legend->visible());
    }

    void costVsFullWidthIsThePairedDifference()
    {
        const int steps = 4, samples = 60, batch = 30;
        // Random weights everywhere, so that widths compute different images.
        const QString path = dir_.filePath("fmnist-distinct-widths.safetensors");
        writeModelWithDistinctWidths(path.toStdString(), fmnistShapedConfig(), 3);
        auto window = openWindow(path, steps);
        QVERIFY(window);
        window->setBackgroundQuality(true, samples, batch);
        MetricsPanel* metrics = window->metricsPanel();
        const QString done = QStringLiteral("n=%1").arg(samples);
        QTRY_VERIFY_WITH_TIMEOUT(metrics->measuredFidText().endsWith(done), kWaitMs);
        QVERIFY2(metrics->costVsFullText().startsWith("0 "), qPrintable(metrics->costVsFullText()));

        window->document()->setStepRangeWidth(0, 2, 0.5);
        QTRY_VERIFY_WITH_TIMEOUT(metrics->measuredFidText().endsWith(done) && metrics->costVsFullText().contains(done),
                                 kWaitMs);
        // The difference of the two FIDs the core computes from the same noise,
        // with an interval around it.
        const double full = referenceFid(path.toStdString(), steps, 0, samples, batch, std::vector<double>(100, 1.0));
        const double edited = referenceFid(path.toStdString(), steps, 0, samples, batch,
                                           window->document()->schedule().widths());
        QVERIFY2(std::abs(edited - full) > 0.5, "the widths of this model should differ");
        const QString text = metrics->costVsFullText();
        const QStringList cost = text.split(' ', Qt::SkipEmptyParts);
        QVERIFY2(cost.size() >= 4 && cost[3] == done, qPrintable(text));
        const double difference = cost[0].toDouble();
        QVERIFY2(std::abs(difference - (edited - full)) <= 0.011 + 1e-5 * std::abs(full),
                 qPrintable(QStringLiteral("%1 vs %2").arg(difference).arg(edited - full)));
        const double low = cost[1].mid(1).chopped(1).toDouble(), high = cost[2].chopped(1).toDouble();
        QVERIFY2(low <= difference + 0.01 && difference <= high + 0.01 && low < high, qPrintable(text));
        QVERIFY(text.endsWith(low < 0.005 ? "no loss detected" : "worse than full width"));
        QVERIFY(errors_.isEmpty());
        window.reset();

        // With a feature store, the next launch reads full width's features
        // instead of sampling them (it writes only when it samples) and shows
        // the same paired difference.
        const QString store = dir_.filePath("feature-store");
        qputenv("DDSM_FEATURE_STORE", store.toUtf8());
        const auto measureEdited = [&] {
            auto w = openWindow(path, steps);
            if (!w)
                return QString();
            w->setBackgroundQuality(true, samples, batch);
            w->document()->setStepRangeWidth(0, 2, 0.5);
            if (!QTest::qWaitFor([&] { return w->metricsPanel()->costVsFullText().contains(done); }, kWaitMs))
                return QStringLiteral("not measured in time: ") + w->metricsPanel()->costVsFullText();
            return w->metricsPanel()->costVsFullText();
        };
        QCOMPARE(measureEdited(), text);
        const QFileInfoList stored = QDir(store).entryInfoList(QDir::Files);
        QCOMPARE(stored.size(), 1);
        const QDateTime written = stored[0].lastModified();
        QTest::qWait(1100);  // a rewrite would show in the modification time
        QCOMPARE(measureEdited(), text);
        QCOMPARE(QFileInfo(stored[0].filePath()).lastModified(), written);
        qunsetenv("DDSM_FEATURE_STORE");
        QVERIFY(errors_.isEmpty());
    }

    void backgroundFidSaysWhyItCannotMeasure()
    {
        // The shipped features take 28x28x1 images; the tiny model makes 8x8 ones.
        auto window = openWindow(tinyPath_, 4);
        QVERIFY(window);
        window->setBackgroundQuality(true, 40, 20);
        window->startQualityRun();
        QTRY_VERIFY_WITH_TIMEOUT(!window->session()->isRunning(window->qualityJob()), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(window->metricsPanel()->measuredFidText().startsWith(QStringLiteral("— (not")), kWaitMs);
        QVERIFY(errors_.isEmpty());  // a background job does not pop up dialogs
    }

    void importanceProfileBesideTheModelIsOverlaid()
    {
        const QString model = dir_.filePath("with-profile.safetensors");
        QFile::remove(model);
        QVERIFY(QFile::copy(tinyPath_, model));
        {
            QFile csv(dir_.filePath("with-profile-importance.csv"));
            QVERIFY(csv.open(QIODevice::WriteOnly));
            csv.write("t_begin,t_end,width,eps_departure,eps_error,distance_change\n"
                      "0,40,1,0,0.1,\n0,40,0.5,0.25,0.3,\n40,100,1,0,0.2,\n40,100,0.5,0.0625,0.25,\n");
        }
        auto window = openWindow(model, 4);
        QVERIFY(window);
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        if (!timeline)
            QSKIP("built without the timeline widget");
        const auto& overlay = timeline->importanceOverlay();
        QCOMPARE(overlay.size(), size_t(100));
        QCOMPARE(overlay[0], 0.25);
        QCOMPARE(overlay[39], 0.25);
        QCOMPARE(overlay[40], 0.0625);
        QVERIFY(errors_.isEmpty());

        // A profile of another T is refused with a message, and the overlay stays.
        const QString wrong = dir_.filePath("wrong-importance.csv");
        {
            QFile csv(wrong);
            QVERIFY(csv.open(QIODevice::WriteOnly));
            csv.write("t_begin,t_end,width,eps_departure,eps_error,distance_change\n0,50,1,0,0,\n0,50,0.5,1,1,\n");
        }
        QVERIFY(!window->loadImportanceProfile(wrong));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.first().contains("T = 50"), qPrintable(errors_.first()));
        QCOMPARE(timeline->importanceOverlay()[0], 0.25);

        // With measured FID changes, the overlay shows what narrowing a bin costs.
        const QString measured = dir_.filePath("measured-importance.csv");
        {
            QFile csv(measured);
            QVERIFY(csv.open(QIODevice::WriteOnly));
            csv.write("t_begin,t_end,width,eps_departure,eps_error,distance_change\n"
                      "0,40,1,0,0.1,0\n0,40,0.5,0.25,0.3,1.5\n40,100,1,0,0.2,0\n40,100,0.5,0.0625,0.25,7\n");
        }
        QVERIFY(window->loadImportanceProfile(measured));
        QCOMPARE(timeline->importanceOverlay()[0], 1.5);
        QCOMPARE(timeline->importanceOverlay()[99], 7.0);
    }

    void searchDockGrowsAFrontAndLoadsItsSchedules()
    {
        const int steps = 4;
        auto window = openWindow(fmnistPath_, steps);
        QVERIFY(window);
        window->setBackgroundQuality(false);
        SearchPanel* panel = window->searchPanel();
        SearchRequest settings;
        settings.population = 4;
        settings.generations = 1;
        settings.samplesPerCandidate = 32;
        settings.granularity = "bins:2";
        settings.budget = 0.8;
        panel->setRequest(settings);
        QSignalSpy progress(window->session(), &ModelSession::searchProgress);
        QSignalSpy ended(window->session(), &ModelSession::searchEnded);
        window->startSearch();
        QVERIFY(panel->isRunning());
        QVERIFY(ended.wait(kWaitMs));
        QCOMPARE(ended.first().at(1).toBool(), false);   // not cancelled
        QVERIFY2(ended.first().at(2).toString().isEmpty(), qPrintable(ended.first().at(2).toString()));
        QCOMPARE(progress.size(), 2);                    // generation 0 and 1
        QVERIFY(!panel->isRunning());

        const SearchSnapshot& snapshot = panel->snapshot();
        // Generation 0 holds both uniform widths; two genes over two widths give 4 schedules at most.
        QVERIFY(snapshot.evaluated.size() >= 2 && snapshot.evaluated.size() <= 4);
        QVERIFY(!snapshot.front.empty());
        QCOMPARE(panel->frontTable()->rowCount(), int(snapshot.front.size()));
        QCOMPARE(window->metricsPanel()->plot()->searchCount(), int(snapshot.evaluated.size()));
        for (size_t i = 1; i < snapshot.front.size(); ++i) {
            QVERIFY(snapshot.front[i].relativeCost > snapshot.front[i - 1].relativeCost);
            QVERIFY(snapshot.front[i].fid < snapshot.front[i - 1].fid);
        }
        // The cheapest front point is the uniform narrow width (nothing costs less).
        QCOMPARE(snapshot.front.front().stepWidths, std::vector<double>(steps, 0.5));

        // Clicking a row loads that schedule; undo brings the old one back.
        const int row = int(snapshot.front.size()) - 1;
        panel->frontTable()->setCurrentCell(row, 0);
        emit panel->frontTable()->cellClicked(row, 0);
        QCOMPARE(stepWidths(window->document()->schedule(), steps), snapshot.front[size_t(row)].stepWidths);
        window->document()->undoStack()->undo();
        QCOMPARE(window->document()->schedule(), StepSchedule::uniform(100, 1.0));
    }

    void searchUnderALatencyBudgetUsesTheMeasuredProfile()
    {
        const int steps = 4;
        auto window = openWindow(fmnistPath_, steps);
        QVERIFY(window);
        window->setBackgroundQuality(false);
        QTRY_VERIFY_WITH_TIMEOUT(!window->session()->latency().empty(), kWaitMs);
        SearchRequest settings;
        settings.population = 2;
        settings.generations = 0;
        settings.samplesPerCandidate = 16;
        settings.granularity = "bins:2";
        settings.latencyMsPerWidth = {1.0, 1.0};  // selects the latency cost; the window supplies the values
        window->searchPanel()->setRequest(settings);
        QVERIFY(window->searchPanel()->latencyCost());
        QSignalSpy ended(window->session(), &ModelSession::searchEnded);
        window->startSearch();
        QVERIFY(ended.wait(kWaitMs));
        const SearchSnapshot& snapshot = window->searchPanel()->snapshot();
        QCOMPARE(snapshot.costKind, QStringLiteral("latency"));
        const auto& latency = window->session()->latency();
        const double expected = *latency.msAt(0.5) / *latency.msAt(1.0);
        bool sawNarrow = false;
        for (const auto& p : snapshot.evaluated)
            if (p.stepWidths == std::vector<double>(steps, 0.5)) {
                sawNarrow = true;
                QVERIFY2(std::abs(p.relativeCost - expected) < 1e-9,
                         qPrintable(QStringLiteral("%1 vs %2").arg(p.relativeCost).arg(expected)));
            }
        QVERIFY(sawNarrow);
    }

    void searchCanBeCancelled()
    {
        auto window = openWindow(fmnistPath_, 4);
        QVERIFY(window);
        window->setBackgroundQuality(false);
        SearchRequest settings;
        settings.population = 8;
        settings.generations = 50;
        settings.samplesPerCandidate = 64;
        window->searchPanel()->setRequest(settings);
        QSignalSpy progress(window->session(), &ModelSession::searchProgress);
        QSignalSpy ended(window->session(), &ModelSession::searchEnded);
        window->startSearch();
        QVERIFY(progress.wait(kWaitMs));
        window->session()->cancel(window->searchJob());
        QVERIFY(ended.wait(kWaitMs));
        QCOMPARE(ended.first().at(1).toBool(), true);
        QVERIFY(progress.size() < 51);
        QVERIFY(window->searchPanel()->statusText().contains("Cancelled"));
    }

    void droppedModelFileOpens()
    {
        auto window = std::make_unique<MainWindow>(2);
        window->setUserMessages(std::make_unique<RecordedMessages>(&errors_));
        window->show();
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(tinyPath_)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy ready(window.get(), &MainWindow::modelReady);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window.get(), &drop);
        QVERIFY(ready.wait(kWaitMs));
        QCOMPARE(window->session()->model().path, QFileInfo(tinyPath_).absoluteFilePath());
    }

    void autosaveIsOfferedBack()
    {
        QFile::remove(MainWindow::autosavePath());
        StepSchedule edited;
        {
            auto window = openWindow(tinyPath_, 5);
            QVERIFY(window);
            window->document()->setStepRangeWidth(1, 2, 0.5);
            edited = window->document()->schedule();
            QVERIFY(window->isDirty());
            window->writeAutosave();
            QVERIFY(QFileInfo::exists(MainWindow::autosavePath()));
            // No close event: as if the application had crashed.
        }
        auto next = std::make_unique<MainWindow>(2);
        auto messages = std::make_unique<RecordedMessages>(&errors_);
        messages->answer = true;
        next->setUserMessages(std::move(messages));
        QSignalSpy ready(next.get(), &MainWindow::modelReady);
        next->offerAutosaveRecovery();
        QVERIFY(ready.wait(kWaitMs));
        QCOMPARE(next->document()->schedule(), edited);
        QVERIFY(next->isDirty());
        next->close();  // a clean exit removes the autosave
        QVERIFY(!QFileInfo::exists(MainWindow::autosavePath()));
    }

    void animationExportsOneFramePerStep()
    {
        auto window = openWindow(tinyPath_, 7);
        QVERIFY(window);
        QVERIFY(waitForRun(*window));
        const QString frames = dir_.filePath("frames");
        QSignalSpy exported(window.get(), &MainWindow::animationExported);
        QVERIFY(window->exportAnimation(frames));
        QVERIFY(!window->exportAnimation(dir_.filePath("second")));  // one at a time, said so
        QVERIFY(exported.wait(kWaitMs));
        QCOMPARE(exported.at(0).at(1).toString(), QString());
        QCOMPARE(QDir(frames).entryList({"*.png"}, QDir::Files).size(), 7);
        // A failure arrives the same way, naming the file.
        QFile(dir_.filePath("blocked")).open(QIODevice::WriteOnly);
        const QString inside = dir_.filePath("blocked/frames");
        QVERIFY(window->exportAnimation(inside));
        QVERIFY(exported.wait(kWaitMs));
        QVERIFY2(exported.at(1).at(1).toString().contains("blocked"), qPrintable(exported.at(1).at(1).toString()));
    }

    void dragPaintsTheAimedStepsWhileLabelsChange()
    {
        const int steps = 50;
        auto window = openWindow(tinyPath_, steps);
        QVERIFY(window);
        window->resize(1700, 1000);
        QVERIFY(waitForRun(*window));
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        QVERIFY(timeline);
        QTest::qWait(50);
        const Geometry before = geometryOf(*window, timeline);
        // Aim at steps 30..45 before anything moves.
        std::vector<QPoint> path;
        for (int step = 30; step <= 45; ++step)
            path.push_back(QPointF(timeline->xForStep(step), timeline->yForWidth(0.5)).toPoint());
        QTest::mousePress(timeline, Qt::LeftButton, {}, path.front());
        for (size_t i = 1; i < path.size(); ++i) {
            QTest::mouseMove(timeline, path[i]);
            // Long texts everywhere, as a playing run and a search produce them.
            window->denoisingPanel()->setWaitingText(QString(300, 'w'));
            window->denoisingPanel()->setCurrentStep(int(i) % steps);
            QApplication::processEvents();
            QCOMPARE(geometryOf(*window, timeline), before);
        }
        QTest::mouseRelease(timeline, Qt::LeftButton, {}, path.back());
        QVERIFY(window->schedulePanel()->nameText().contains("custom"));
        for (int step = 0; step < steps; ++step)
            QCOMPARE(window->document()->stepWidth(step), step >= 30 && step <= 45 ? 0.5 : 1.0);
    }

    void windowSizeDoesNotFollowLabels()
    {
        auto window = openWindow(tinyPath_, 20);
        QVERIFY(window);
        window->resize(1200, 800);
        QVERIFY(waitForRun(*window));
        QTest::qWait(50);
        const QSize size = window->size();
        const QList<QRect> docks{window->views()->geometry(), window->dock("MetricsDock")->geometry()};
        // A long schedule name, a long hover text, long job labels, a long error-free status.
        const QString longName(400, 'n');
        window->applyStepWidths(std::vector<double>(20, 0.5), longName);
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        QTest::mouseMove(timeline, QPointF(timeline->xForStep(19), timeline->yForWidth(0.5)).toPoint());
        window->comparePanel()->addPane(longName, StepSchedule::uniform(100, 0.5));
        window->comparePanel()->run();
        for (int i = 0; i < 20; ++i) {
            QApplication::processEvents();
            QCOMPARE(window->size(), size);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!window->comparePanel()->isRunning(), kWaitMs);
        QCOMPARE(window->size(), size);
        QCOMPARE(window->views()->geometry(), docks[0]);
        QCOMPARE(window->dock("MetricsDock")->geometry(), docks[1]);
    }

    void everyDockFitsAt1024x700()
    {
        const int steps = 50;
        auto window = openWindow(tinyPath_, steps);
        QVERIFY(window);
        window->resize(1024, 700);
        window->resetLayout();
        QVERIFY(waitForRun(*window));
        QTest::qWait(100);
        QCOMPARE(window->size(), QSize(1024, 700));
        const QRect inside = window->rect();
        // The docks and the central views (Denoising, Compare), each a scroll area.
        QList<QWidget*> shown;
        QList<QScrollArea*> scrolls;
        for (QDockWidget* dock : window->findChildren<QDockWidget*>()) {
            if (!dock->isVisible() || dock->visibleRegion().isEmpty())
                continue;  // a tab behind another
            shown << dock;
            scrolls << qobject_cast<QScrollArea*>(dock->widget());
        }
        shown << window->views();
        for (int tab = 0; tab < window->views()->count(); ++tab)
            scrolls << qobject_cast<QScrollArea*>(window->views()->widget(tab));
        QVERIFY(shown.size() >= 4);
        for (QWidget* area : shown) {
            QVERIFY2(inside.contains(area->geometry()), qPrintable(area->objectName()));
            QVERIFY2(area->width() >= 200 && area->height() >= 120, qPrintable(area->objectName()));
        }
        for (int i = 0; i < shown.size(); ++i)
            for (int j = i + 1; j < shown.size(); ++j)
                QVERIFY2(!shown[i]->geometry().intersects(shown[j]->geometry()),
                         qPrintable(shown[i]->objectName() + " overlaps " + shown[j]->objectName()));
        for (int tab = 0; tab < 2; ++tab) {
            window->views()->setCurrentIndex(tab);
            QApplication::processEvents();
            for (QScrollArea* scroll : scrolls) {
                QVERIFY(scroll);
                if (!scroll->isVisible())
                    continue;
                // Nothing inside is squeezed below what its layout needs: such
                // widgets would be drawn over each other. A scroll area scrolls instead.
                QWidget* content = scroll->widget();
                const QString name = scroll->objectName();
                QVERIFY2(content->width() >= content->minimumSizeHint().width() &&
                             content->height() >= content->minimumSizeHint().height(),
                         qPrintable(name));
                for (QWidget* child : content->findChildren<QWidget*>()) {
                    if (!child->isVisible() || !child->layout())
                        continue;
                    const QSize need = child->layout()->minimumSize();
                    QVERIFY2(child->width() >= need.width() && child->height() >= need.height(),
                             qPrintable(name + ": " + child->metaObject()->className()));
                }
                // At this size nothing needs to scroll sideways.
                QVERIFY2(!scroll->horizontalScrollBar()->isVisible(), qPrintable(name));
            }
        }
        window->views()->setCurrentIndex(0);
        // The whole timeline is in view: its last step is not cut off.
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        auto* scroll = qobject_cast<QScrollArea*>(window->dock("ScheduleDock")->widget());
        const QPoint lastStep = timeline->mapTo(scroll->viewport(), QPointF(timeline->xForStep(steps - 1), 0).toPoint());
        QVERIFY2(lastStep.x() < scroll->viewport()->width(), qPrintable(QString::number(lastStep.x())));
        // The samples get room: the grid is shown at least twice its size.
        QVERIFY(window->denoisingPanel()->findChildren<PixelView*>().front()->scale() >= 2);
    }

    void compareGoesFirstAndBackgroundFidResumes()
    {
        const int steps = 4;
        auto window = openWindow(fmnistPath_, steps);
        QVERIFY(window);
        window->setBackgroundQuality(true, 2000, 20);
        // The background measurement is running (long: 2,000 samples).
        QTRY_VERIFY_WITH_TIMEOUT(window->qualityJob() != 0 && window->session()->isRunning(window->qualityJob()), kWaitMs);
        const int measuring = window->qualityJob();
        // Every status the line shows as jobs start and end: a short comparison
        // can come and go between two polls of the event loop.
        QStringList shown;
        const auto record = [&] { shown << window->statusText(); };
        connect(window->session(), &ModelSession::jobStarted, window.get(), record);
        connect(window->session(), &ModelSession::jobEnded, window.get(), record);
        QElapsedTimer clock;
        clock.start();
        window->comparePanel()->run();
        QVERIFY(window->backgroundQualityPaused());
        QVERIFY2(window->metricsPanel()->measurementNote().contains("Paused"), qPrintable(window->metricsPanel()->measurementNote()));
        QTRY_VERIFY_WITH_TIMEOUT(!window->comparePanel()->isRunning(), kWaitMs);
        // The status line named what ran, as the metrics do.
        QVERIFY2(std::any_of(shown.begin(), shown.end(), [](const QString& s) { return s.startsWith("Comparing"); }),
                 qPrintable(shown.join(" | ")));
        QCOMPARE(window->comparePanel()->paneFrames(1), steps);
        // Measured FID of 2,000 images would take far longer than a 4-step comparison.
        QVERIFY2(!window->session()->isRunning(measuring), "the comparison waited for the measurement");
        // The measurement resumes by itself and reports again.
        QTRY_VERIFY_WITH_TIMEOUT(window->qualityJob() != measuring && window->session()->isRunning(window->qualityJob()), kWaitMs);
        QVERIFY(!window->backgroundQualityPaused());
        QTRY_VERIFY_WITH_TIMEOUT(window->metricsPanel()->measuredFidText().contains("n=20"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(window->statusText().startsWith("Measuring FID"), kWaitMs);
        window->setBackgroundQuality(false);
        qInfo("comparison done %lld ms after it was asked for", qint64(clock.elapsed()));
    }

    void recoveryAppliesWithAModelPathGiven()
    {
        QFile::remove(MainWindow::autosavePath());
        StepSchedule edited;
        {
            auto window = openWindow(tinyPath_, 5);
            QVERIFY(window);
            window->document()->setStepRangeWidth(1, 2, 0.5);
            edited = window->document()->schedule();
            // Written by itself ~2 s after the edit (more on a loaded machine).
            QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(MainWindow::autosavePath()), 6000);
            // No close event: as if the application had crashed.
        }
        // Started as scripts/run.sh starts it: with the model on the command line.
        auto next = std::make_unique<MainWindow>(2);
        auto messages = std::make_unique<RecordedMessages>(&errors_);
        messages->answer = true;
        next->setUserMessages(std::move(messages));
        QSignalSpy ready(next.get(), &MainWindow::modelReady);
        next->openAtStart({tinyPath_}, true);
        QVERIFY(ready.wait(kWaitMs));
        QTest::qWait(300);  // a second opening of the model would arrive by now
        QCOMPARE(ready.size(), 1);
        QCOMPARE(next->document()->schedule(), edited);
        QVERIFY(next->isDirty());
        QVERIFY(next->windowTitle().contains(" *"));
        next->close();  // discards (the recorder's answer): a clean exit removes the autosave
        QVERIFY(!QFileInfo::exists(MainWindow::autosavePath()));
    }

    void quitWithUnsavedChangesAsks()
    {
        auto window = std::make_unique<MainWindow>(2);
        auto owned = std::make_unique<RecordedMessages>(&errors_);
        RecordedMessages* messages = owned.get();
        window->setUserMessages(std::move(owned));
        window->show();
        QSignalSpy ready(window.get(), &MainWindow::modelReady);
        window->openModel(tinyPath_);
        QVERIFY(ready.wait(kWaitMs));
        QVERIFY(!window->isDirty());
        // Ctrl+Z and both redo keys act on the schedule.
        window->document()->setStepRangeWidth(0, 3, 0.5);
        const StepSchedule edited = window->document()->schedule();
        QTest::keyClick(window.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window->document()->schedule(), StepSchedule::uniform(100, 1.0));
        QTest::keyClick(window.get(), Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(window->document()->schedule(), edited);
        QVERIFY(window->isDirty());
        QVERIFY(window->windowTitle().contains(" *"));

        messages->saveChoice = UserMessages::SaveChoice::Cancel;
        QVERIFY(!window->close());
        QCOMPARE(messages->saveQuestions, 1);
        QVERIFY(window->isVisible());
        messages->saveChoice = UserMessages::SaveChoice::Discard;
        QVERIFY(window->close());
        QCOMPARE(messages->saveQuestions, 2);
    }

    void smallerDefects()
    {
        auto window = openWindow(tinyPath_, 6);
        QVERIFY(window);
        QVERIFY(waitForRun(*window));
        // Step works while paused, also at the last frame (back to the first).
        DenoisingPanel* denoising = window->denoisingPanel();
        denoising->pause();
        denoising->setCurrentStep(2);
        QVERIFY(denoising->canStep());
        denoising->stepForward();
        QCOMPARE(denoising->currentStep(), 3);
        denoising->setCurrentStep(5);
        QVERIFY(denoising->canStep());
        denoising->stepForward();
        QCOMPARE(denoising->currentStep(), 0);
        // The preset box names the schedule shown, full width included.
        QVERIFY(window->document()->applyPreset("small-early-large-late"));
        QCOMPARE(window->schedulePanel()->presetText(), QStringLiteral("small-early-large-late"));
        window->document()->setStepRangeWidth(0, 0, 1.0);
        QCOMPARE(window->schedulePanel()->presetText(), QString());
        QVERIFY(window->schedulePanel()->nameText().endsWith("custom"));
        window->document()->setStepRangeWidth(0, 5, 1.0);
        QVERIFY2(window->schedulePanel()->nameText().contains("uniform-"), qPrintable(window->schedulePanel()->nameText()));
        QCOMPARE(window->schedulePanel()->presetText(), window->document()->name());
        // The importance mode is one choice away.
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        window->schedulePanel()->modeBox()->setCurrentIndex(1);
        QCOMPARE(timeline->editMode(), ScheduleTimeline::EditMode::Importance);
        window->schedulePanel()->modeBox()->setCurrentIndex(0);

        // A text file renamed .safetensors is "not a model file", and with no model loaded nothing "stays loaded".
        const QString text = dir_.filePath("notes.safetensors");
        {
            QFile file(text);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("these are my notes, not a network\n");
        }
        auto empty = std::make_unique<MainWindow>(2);
        empty->setUserMessages(std::make_unique<RecordedMessages>(&errors_));
        QSignalSpy reported(empty.get(), &MainWindow::errorReported);
        empty->openModel(text);
        QVERIFY(reported.wait(kWaitMs));
        const QString message = reported.first().at(1).toString();
        QVERIFY2(message.contains("not a model file") && message.contains("No model is loaded") && !message.contains("stays loaded"),
                 qPrintable(message));

        // Exported schedule JSON carries what is known about its quality.
        const QString predictor = dir_.filePath("predictor-export.json");
        {
            QFile file(predictor);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(R"({"format": "ddsm-distance-predictor", "version": 1, "T": 100, "steps": 6,
                "bin_edges": [0, 100], "widths": [1.0, 0.5], "base": 10.0,
                "penalty": [[0.0, 2.0]], "estimator": "FID"})");
        }
        if (window->loadQualityPredictor(predictor)) {
            const QString exported = dir_.filePath("exported.json");
            QVERIFY(window->exportSchedule(exported));
            QFile file(exported);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto json = nlohmann::json::parse(file.readAll().toStdString());
            QVERIFY2(json.contains("metrics") && json["metrics"].contains("predicted"), json.dump().c_str());
            QCOMPARE(json["metrics"]["predicted"]["value"].get<double>(), 10.0);
        }
    }

    // Quality sidecars hold for one sampler: the window loads the profile of
    // its sampler (NAME-importance-TAG.csv) and follows a change of sampler;
    // with none for the sampler it says so instead of showing another's.
    void importanceProfilesFollowTheSampler()
    {
        const QString model = dir_.filePath("tagged.safetensors");
        QFile::remove(model);
        QVERIFY(QFile::copy(tinyPath_, model));
        const auto write = [&](const QString& name, const QByteArray& changes03, const QByteArray& changes39) {
            QFile csv(dir_.filePath(name));
            QVERIFY(csv.open(QIODevice::WriteOnly));
            csv.write("# distance_change: test sampler, 16 samples\n"
                      "t_begin,t_end,width,eps_departure,eps_error,distance_change\n"
                      "0,40,1,0,0.1,0\n0,40,0.5,0.25,0.3," + changes03 + "\n40,100,1,0,0.2,0\n40,100,0.5,0.0625,0.25," +
                      changes39 + "\n");
        };
        write("tagged-importance-ddim4.csv", "1.5", "7");
        write("tagged-importance-ddpm4.csv", "3", "9");
        auto window = openWindow(model, 4);
        QVERIFY(window);
        auto* timeline = qobject_cast<ScheduleTimeline*>(window->schedulePanel()->editor());
        if (!timeline)
            QSKIP("built without the timeline widget");
        QCOMPARE(timeline->importanceOverlay()[0], 1.5);
        QCOMPARE(timeline->importanceOverlay()[99], 7.0);
        SamplerChoice choice = window->samplerChoice();
        choice.kind = "ddpm";
        window->setSamplerChoice(choice);
        QCOMPARE(timeline->importanceOverlay()[0], 3.0);
        QCOMPARE(timeline->importanceOverlay()[99], 9.0);
        choice.steps = 5;
        window->setSamplerChoice(choice);
        QVERIFY(timeline->importanceOverlay().empty());
        QVERIFY2(window->statusBar()->currentMessage().contains("ddpm5"), qPrintable(window->statusBar()->currentMessage()));
        QCOMPARE(window->metricsPanel()->predictedQualityText(), QStringLiteral("— (none for ddpm5)"));
        QVERIFY(errors_.isEmpty());
    }

    // A model's starting schedule (NAME.schedule.json) opens with it, in the
    // sampler it was made for: a new user first sees the searched schedule.
    void theModelsStartingScheduleOpensWithItsSampler()
    {
        const QString model = dir_.filePath("starting.safetensors");
        QFile::remove(model);
        QVERIFY(QFile::copy(tinyPath_, model));
        ScheduleDocument start;
        start.name = "searched";
        std::vector<double> widths(100, 1.0);
        for (int t = 50; t < 100; ++t)
            widths[size_t(t)] = 0.5;
        start.schedule = StepSchedule::fromWidths(widths);
        start.sampler = SamplerRecord{"ddpm", 6, 0.0, 0};
        saveSchedule(dir_.filePath("starting.schedule.json").toStdString(), start);
        // Its sampler's sidecars are there, so nothing may be reported missing,
        // not even for a half-applied sampler (the window's own DDIM, 6 steps).
        {
            QFile predictor(dir_.filePath("starting-predictor-ddpm6.json"));
            QVERIFY(predictor.open(QIODevice::WriteOnly));
            predictor.write(R"({"format": "ddsm-distance-predictor", "version": 1, "T": 100, "steps": 6,
                "bin_edges": [0, 100], "widths": [1.0, 0.5], "base": 10.0, "penalty": [[0.0, 2.0]],
                "estimator": "FID", "sampler_tag": "ddpm6"})");
            QFile profile(dir_.filePath("starting-importance-ddpm6.csv"));
            QVERIFY(profile.open(QIODevice::WriteOnly));
            profile.write("t_begin,t_end,width,eps_departure,eps_error,distance_change\n"
                          "0,100,1,0,0.1,0\n0,100,0.5,0.25,0.3,2\n");
        }
        auto window = openWindow(model, 4);
        QVERIFY(window);
        QCOMPARE(window->samplerChoice().kind, std::string("ddpm"));
        QCOMPARE(window->samplerChoice().steps, 6);
        const QString status = window->statusBar()->currentMessage();
        QVERIFY2(!status.contains("No ") && !status.contains("ddim"), qPrintable(status));
        QCOMPARE(window->metricsPanel()->predictedQualityText().contains("none"), false);
        QCOMPARE(window->document()->schedule().widthAt(99), 0.5);
        QCOMPARE(window->document()->schedule().widthAt(0), 1.0);
        QVERIFY(errors_.isEmpty());
    }

    void screenshotOfFinishedRun()
    {
        // DDSM_SCREENSHOT_MODEL picks a trained model for the README picture.
        auto window = openWindow(qEnvironmentVariable("DDSM_SCREENSHOT_MODEL", tinyPath_), 20);
        QVERIFY(window);
        window->document()->applyPreset("small-early-large-late");
        window->denoisingPanel()->setShowsPredictedX0(false);
        QVERIFY(waitForRun(*window));
        QTRY_VERIFY_WITH_TIMEOUT(!window->session()->latency().empty(), kWaitMs);
        window->denoisingPanel()->zoomOnSample(0);
        QTest::qWait(50);
        const QImage shot = window->grab().toImage();
        QVERIFY(!shot.isNull());
        const QString path = dir_.filePath("screenshot.png");
        QVERIFY(shot.save(path));
        QVERIFY(QFileInfo(path).size() > 0);
        const QString readme = QStringLiteral(DDSM_SOURCE_DIR "/build/ui");
        if (QDir(readme).exists())
            shot.save(readme + "/screenshot.png");
    }
};

QTEST_MAIN(TestUi)
#include "test_ui.moc"
