// GUI responsiveness of DDSM Studio, measured on the real main window:
//  1. edit-to-readout latency: a mouse drag across the schedule timeline, one
//     step per mouse-move event, timed from the event until the Metrics dock's
//     GFLOPs and predicted-quality labels hold the new values and the dock has
//     repainted (target < 16 ms);
//  2. the longest stall of the GUI event loop (gaps between 1 ms timer ticks)
//     while the worker samples, while a measured FID runs, and while a search
//     runs (target < 50 ms).
//
// usage: bench_gui [MODEL] [THREADS]
//   MODEL defaults to the shipped models/fmnist-default.safetensors (its
//   predictor beside it is loaded when present); THREADS to every core.
// Run with QT_QPA_PLATFORM=offscreen (or under Xvfb) on a quiet machine.
#include "main_window.h"
#include "metrics_panel.h"
#include "model_session.h"
#include "quality_plot.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "timeline/schedule_document_model.h"
#include "timeline/schedule_timeline.h"
#include "user_messages.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ddsm::ui;

namespace {

// Jobs still running after ten minutes would distort every figure after them.
void waitUntilSettled(MainWindow& window)
{
    if (!QTest::qWaitFor([&] { return window.isSettled(); }, 600'000))
        std::fprintf(stderr, "warning: the window's jobs did not settle within 10 minutes\n");
}


class PrintedMessages : public UserMessages {
public:
    void error(const QString& title, const QString& text) override
    {
        std::fprintf(stderr, "error: %s: %s\n", qPrintable(title), qPrintable(text));
    }
    bool ask(const QString&, const QString&) override { return false; }
};

struct Summary {
    double median = 0, p95 = 0, max = 0;
    size_t count = 0;
};

Summary summarize(std::vector<double> v)
{
    Summary s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.count = v.size();
    s.median = v[v.size() / 2];
    s.p95 = v[std::min(v.size() - 1, size_t(0.95 * double(v.size())))];
    s.max = v.back();
    return s;
}

// Mouse drags over the timeline; returns per-event latency in ms.
std::vector<double> dragLatencies(MainWindow& window, int steps, int drags)
{
    auto* timeline = qobject_cast<ScheduleTimeline*>(window.schedulePanel()->editor());
    if (!timeline)
        return {};
    timeline->setEditMode(ScheduleTimeline::EditMode::Paint);
    window.document()->setSteps(steps);
    QApplication::processEvents();
    const TimelineLayout layout = timeline->layout();
    std::vector<double> latencies;
    for (int drag = 0; drag < drags; ++drag) {
        // Alternate between the narrowest and a middle band so that every move edits.
        const int level = drag % 2 ? layout.levels() - 1 : layout.levels() / 2;
        const int y = int(layout.yForLevel(level));
        QTest::mousePress(timeline, Qt::LeftButton, {}, QPoint(int(layout.xForStep(0)), y));
        for (int step = 1; step < steps; ++step) {
            const QString before = window.metricsPanel()->gflopsText();
            QElapsedTimer timer;
            timer.start();
            QMouseEvent move(QEvent::MouseMove, QPointF(layout.xForStep(step), y), timeline->mapToGlobal(QPointF(layout.xForStep(step), y)),
                             Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(timeline, &move);
            // The readout: both labels set, and the dock painted with them.
            const QString gflops = window.metricsPanel()->gflopsText();
            const QString quality = window.metricsPanel()->predictedQualityText();
            window.metricsPanel()->repaint();
            const double ms = double(timer.nsecsElapsed()) * 1e-6;
            if (gflops != before && !quality.isEmpty())
                latencies.push_back(ms);
        }
        QTest::mouseRelease(timeline, Qt::LeftButton, {}, QPoint(int(layout.xForStep(steps - 1)), y));
        QApplication::processEvents();
    }
    return latencies;
}

// Runs the event loop until `done()` (or the timeout); returns the gaps
// between 1 ms timer ticks in ms.
template <typename Done>
std::vector<double> tickGaps(Done done, int timeoutMs)
{
    std::vector<double> gaps;
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        gaps.push_back(double(now - last) * 1e-6);
        last = now;
    });
    ticker.start();
    while (!done() && clock.elapsed() < timeoutMs)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    ticker.stop();
    return gaps;
}

void printSummary(const char* what, const Summary& s, const char* target)
{
    std::printf("%-44s n=%5zu  median %7.2f ms  p95 %7.2f ms  max %7.2f ms  (target %s)\n", what, s.count, s.median,
                s.p95, s.max, target);
}

}  // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);  // leave the user's settings alone
    QCoreApplication::setOrganizationName("DDSM Studio Bench");
    QCoreApplication::setApplicationName("bench_gui");
    const QString model = argc > 1 ? QString(argv[1]) : QStringLiteral(DDSM_SOURCE_DIR "/models/fmnist-default.safetensors");
    const int threads = argc > 2 ? std::atoi(argv[2]) : 0;

    MainWindow window(threads);
    window.setUserMessages(std::make_unique<PrintedMessages>());
    window.resize(1600, 1000);
    window.show();
    window.setBackgroundQuality(false);
    QSignalSpy ready(&window, &MainWindow::modelReady);
    window.openModel(model);
    if (!ready.wait(120'000)) {
        std::fprintf(stderr, "could not open %s\n", qPrintable(model));
        return 1;
    }
    const bool predicted = window.metricsPanel()->predictedQualityText() != QStringLiteral("—");
    std::printf("bench_gui: %s, %s, predictor %s\n", qPrintable(QFileInfo(model).fileName()),
                qPrintable(window.session()->backendText()), predicted ? "loaded" : "absent (FLOPs readout only)");
    // Let the first run and the latency profile finish: the drag is measured alone.
    waitUntilSettled(window);

    std::printf("\n1. edit-to-readout: one mouse-move event over the timeline until the Metrics labels are set "
                "and the dock repainted\n");
    for (int steps : {50, 250, 1000}) {
        const auto s = summarize(dragLatencies(window, steps, steps >= 1000 ? 2 : 6));
        char what[64];
        std::snprintf(what, sizeof what, "drag edit, %d sampler steps", steps);
        printSummary(what, s, "< 16 ms");
    }
    window.session()->cancelAll();
    waitUntilSettled(window);

    std::printf("\n2. GUI event-loop stalls (gaps between 1 ms timer ticks) while the worker runs\n");
    SamplerChoice sampler = window.samplerChoice();
    sampler.steps = 50;
    sampler.count = 16;
    window.setSamplerChoice(sampler);
    window.document()->applyPreset(window.document()->presetNames().front());
    waitUntilSettled(window);
    {
        window.restartDenoising();
        const int job = window.denoisingJob();
        const auto gaps = summarize(tickGaps([&] { return !window.session()->isRunning(job); }, 600'000));
        printSummary("denoising 16 images x 50 steps, live frames", gaps, "max < 50 ms");
    }
    {
        window.setBackgroundQuality(true, 1000, 100);
        window.startQualityRun();
        const int job = window.qualityJob();
        const auto gaps = summarize(tickGaps([&] { return !window.session()->isRunning(job); }, 900'000));
        printSummary("measured FID, 1000 samples x 50 steps", gaps, "max < 50 ms");
        std::printf("    result: %s\n", qPrintable(window.metricsPanel()->measuredFidText()));
        window.setBackgroundQuality(false);
    }
    {
        SearchRequest request;
        request.population = 8;
        request.generations = 2;
        request.samplesPerCandidate = 64;
        window.searchPanel()->setRequest(request);
        window.startSearch();
        const int job = window.searchJob();
        const auto gaps = summarize(tickGaps([&] { return !window.session()->isRunning(job); }, 900'000));
        printSummary("search, population 8, 2 generations, 64 samples", gaps, "max < 50 ms");
    }
    return 0;
}
