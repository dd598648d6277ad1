// MainWindow: opening, exporting, workspaces and autosave.
#include "main_window.h"

#include "denoising_panel.h"
#include "metrics_panel.h"
#include "model_session.h"
#include "quality_work.h"
#include "recent_files.h"
#include "settings_png.h"
#include "timeline/schedule_document_model.h"
#include "user_messages.h"
#include "workspace_file.h"
#include "workspace_state.h"

#include "api/ddsm_api.h"
#include "schedule/schedule_file.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QMimeData>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <exception>

namespace ddsm::ui {

namespace {

bool fileHeadContains(const QString& path, const char* marker)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(4096).contains(marker);
}

bool isQualityPredictorFile(const QString& path) { return fileHeadContains(path, "\"ddsm-distance-predictor\""); }

// A manifest of separately trained TorchScript networks opens like a model.
bool isFamilyManifest(const QString& path) { return fileHeadContains(path, "\"ddsm-family\""); }

// A frame's pixels for the API: grey stays one channel, anything else RGB.
api::Image8 image8(const QImage& frame)
{
    const bool grey = frame.format() == QImage::Format_Grayscale8;
    const QImage image = grey ? frame : frame.convertToFormat(QImage::Format_RGB888);
    api::Image8 out;
    out.width = image.width();
    out.height = image.height();
    out.channels = grey ? 1 : 3;
    const size_t row = size_t(out.width) * size_t(out.channels);
    out.pixels.resize(row * size_t(out.height));
    for (int y = 0; y < out.height; ++y)  // QImage rows are padded to 4 bytes
        std::copy_n(image.constScanLine(y), row, out.pixels.begin() + std::ptrdiff_t(row * size_t(y)));
    return out;
}

}  // namespace

void MainWindow::openFile(const QString& path)
{
    if (QFileInfo(path).isDir()) {
        reportError(tr("Could not open file"), tr("%1 is a folder, not a file.").arg(path));
        return;
    }
    if (!QFileInfo(path).isFile()) {
        reportError(tr("Could not open file"), tr("%1 does not exist or is not a file.").arg(path));
        return;
    }
    if (looksLikePng(path))
        restoreSettingsFromPng(path);
    else if (isWorkspaceFile(path))
        openWorkspace(path);
    else if (isQualityPredictorFile(path))
        loadQualityPredictor(path);
    else if (isFamilyManifest(path))
        openModel(path);
    else if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
             || path.endsWith(QLatin1String(".txt"), Qt::CaseInsensitive))
        importSchedule(path);
    else
        openModel(path);
}

void MainWindow::openModel(const QString& path)
{
    rerunTimer_->stop();
    session_->openModel(path);
}

bool MainWindow::importSchedule(const QString& path)
{
    if (!session_->hasModel()) {
        reportError(tr("Could not import schedule"), tr("Open a model first: a schedule belongs to a model's T and widths."));
        return false;
    }
    QString error;
    if (!document_->importFile(path, &error)) {
        reportError(tr("Could not import schedule"), error);
        return false;
    }
    return true;
}

ScheduleDocument MainWindow::scheduleDocumentForExport(const StepSchedule& schedule, const SamplerChoice& sampler) const
{
    ScheduleDocument doc;
    doc.schedule = schedule;
    doc.name = document_->name().isEmpty() ? "custom" : document_->name().toStdString();
    doc.sampler = SamplerRecord{sampler.kind, sampler.steps, sampler.eta, sampler.seed};
    if (session_->hasModel())
        doc.model = ModelIdentity{session_->model().name.toStdString(), ""};
    const auto& f = metricsPanel_->figures();
    nlohmann::json costs{{"gflops_per_image", f.gflopsPerImage}, {"saving_vs_full", f.saving}, {"steps", f.steps}};
    if (f.predictedMs)
        costs["predicted_ms_per_image_from_measured_latency"] = *f.predictedMs;
    doc.costs_json = costs.dump();
    doc.metrics_json = quality_->metricsJson(schedule, sampler);
    return doc;
}

bool MainWindow::exportSchedule(const QString& path)
{
    if (document_->schedule().empty()) {
        reportError(tr("Could not export schedule"), tr("There is no schedule yet: open a model first."));
        return false;
    }
    try {
        saveSchedule(path.toStdString(), scheduleDocumentForExport(document_->schedule(), samplerChoice()));
        return true;
    } catch (const std::exception& e) {
        reportError(tr("Could not export schedule"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::exportGridPng(const QString& path)
{
    const QImage& grid = denoisingPanel_->finishedGrid();
    if (grid.isNull()) {
        reportError(tr("Could not export grid"), tr("No finished denoising run yet: wait for the run to complete."));
        return false;
    }
    try {
        // Describe the run that made these images, even if the schedule changed since.
        const ScheduleDocument doc = scheduleDocumentForExport(runSchedule_, runSampler_);
        const auto& outcome = denoisingPanel_->lastOutcome();
        writeGridPng(path, grid, gridSettingsJson(doc, session_->model().path, outcome.samplerText, outcome.grid.count));
        return true;
    } catch (const std::exception& e) {
        reportError(tr("Could not export grid"), QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::exportAnimation(const QString& path)
{
    const auto& frames = denoisingPanel_->frames();
    if (frames.empty()) {
        reportError(tr("Could not export animation"), tr("No denoising frames yet."));
        return false;
    }
    if (animationWriter_) {
        reportError(tr("Could not export animation"), tr("The last animation is still being written."));
        return false;
    }
    api::AnimationOptions animation;
    for (const StepFrame& frame : frames)
        animation.frames.push_back(image8(denoisingPanel_->showsPredictedX0() ? frame.x0 : frame.xt));
    animation.path = path.toStdString();  // .mp4: a clip, else a folder of PNG frames
    animation.framesPerSecond = 10.0;
    const int count = int(frames.size());
    // Encoding grows with the steps (0.1 s for 100 small frames; a 1,000-step run writes ten
    // times as many): the window stays live meanwhile.
    auto error = std::make_shared<QString>();
    QElapsedTimer clock;
    clock.start();
    animationWriter_ = QThread::create([animation = std::move(animation), error] {
        try {
            api::writeAnimation(animation);
        } catch (const std::exception& e) {
            *error = QString::fromStdString(e.what());
        }
    });
    animationWriter_->setParent(this);
    connect(animationWriter_, &QThread::finished, this, [this, path, error, count, clock] {
        animationWriter_->deleteLater();
        animationWriter_ = nullptr;
        if (error->isEmpty())
            statusBar()->showMessage(tr("Wrote %1 (%2 frames in %3 s)")
                                         .arg(QDir::toNativeSeparators(path))
                                         .arg(count)
                                         .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1),
                                     8000);
        else
            reportError(tr("Could not export animation"), *error);
        emit animationExported(path, *error);
    });
    statusBar()->showMessage(tr("Writing %1 frames to %2…").arg(count).arg(QDir::toNativeSeparators(path)));
    animationWriter_->start();
    return true;
}

bool MainWindow::restoreSettingsFromPng(const QString& path)
{
    RestoredSettings restored;
    try {
        restored = settingsFromPng(path);
    } catch (const std::exception& e) {
        reportError(tr("Could not restore settings"), QString::fromStdString(e.what()));
        return false;
    }
    if (!session_->hasModel() || restored.document.schedule.T() != document_->T()) {
        // Wait for a model that fits; the PNG may name one.
        pending_.hold(restored.document, restored.sampler);
        if (QFileInfo(restored.model).isFile()) {
            openModel(restored.model);
            return true;
        }
        reportError(tr("Could not restore settings"),
                    tr("The schedule in %1 has T = %2; open its model (%3) first.")
                        .arg(QFileInfo(path).fileName())
                        .arg(restored.document.schedule.T())
                        .arg(restored.model));
        return false;
    }
    if (restored.sampler)
        setSamplerChoice(*restored.sampler);
    try {
        document_->setSchedule(restored.document.schedule, QString::fromStdString(restored.document.name),
                               tr("Restore schedule from %1").arg(QFileInfo(path).fileName()));
    } catch (const std::exception& e) {
        reportError(tr("Could not restore settings"), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

Workspace MainWindow::currentWorkspace() const
{
    Workspace w;
    w.modelPath = session_->model().path;
    if (!document_->schedule().empty())
        w.schedule = scheduleDocumentForExport(document_->schedule(), samplerChoice());
    w.sampler = samplerChoice();
    w.showX0 = denoisingPanel_->showsPredictedX0();
    w.layout = saveState(kLayoutVersion);
    return w;
}

bool MainWindow::saveWorkspace(const QString& path)
{
    try {
        ui::saveWorkspace(path, currentWorkspace());
    } catch (const std::exception& e) {
        reportError(tr("Could not save workspace"), QString::fromStdString(e.what()));
        return false;
    }
    workspacePath_ = path;
    addRecentFile(path);
    refreshRecentMenu();
    document_->undoStack()->setClean();
    setDirty(false);  // also removes the autosave
    refreshTitle();
    return true;
}

bool MainWindow::openWorkspace(const QString& path)
{
    Workspace w;
    try {
        w = loadWorkspace(path);
    } catch (const std::exception& e) {
        reportError(tr("Could not open workspace"), QString::fromStdString(e.what()));
        return false;
    }
    if (!w.layout.isEmpty())
        restoreState(w.layout, kLayoutVersion);
    denoisingPanel_->setShowsPredictedX0(w.showX0);
    if (path != autosavePath()) {
        workspacePath_ = path;
        addRecentFile(path);
        refreshRecentMenu();
    }
    const bool sameModel = session_->hasModel() && QFileInfo(w.modelPath) == QFileInfo(session_->model().path);
    if (!sameModel && !w.modelPath.isEmpty()) {
        pending_.hold(w.schedule, w.sampler);
        openModel(w.modelPath);
        return true;
    }
    setSamplerChoice(w.sampler);
    if (w.schedule && w.schedule->schedule.T() == document_->T()) {
        try {
            document_->setSchedule(w.schedule->schedule, QString::fromStdString(w.schedule->name),
                                   tr("Open workspace"));
        } catch (const std::exception& e) {  // e.g. a width the model lacks
            reportError(tr("Could not open workspace"), QString::fromStdString(e.what()));
        }
    }
    refreshTitle();
    return true;
}

QString MainWindow::autosavePath() { return WorkspaceState::autosavePath(); }

void MainWindow::writeAutosave() { workspace_->writeAutosave(); }

bool MainWindow::offerAutosaveRecovery()
{
    if (!workspace_->hasRecovery())
        return false;
    const QString when = workspace_->recoveryTime().toString(Qt::TextDate);
    const bool restore = messages_ && messages_->ask(tr("Recover unsaved work"),
                                                     tr("DDSM Studio did not close cleanly. Restore the edits autosaved at %1?").arg(when));
    if (!restore) {
        workspace_->discardRecovery();
        return false;
    }
    pending_.setRecovering(true);
    if (!openWorkspace(autosavePath())) {
        pending_.setRecovering(false);
        return false;
    }
    workspace_->markUnsaved();
    return true;
}

void MainWindow::openAtStart(const QStringList& files, bool offerRecovery)
{
    // Recovered work wins over the command line (scripts/run.sh always names
    // the model): opening that file too would replace the recovered schedule.
    if (offerRecovery && offerAutosaveRecovery()) {
        if (!files.isEmpty())
            statusBar()->showMessage(tr("Recovered the autosaved work; %1 was not opened over it.")
                                         .arg(QFileInfo(files.front()).fileName()), 15'000);
        return;
    }
    if (!files.isEmpty())
        openFile(files.front());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() && !event->mimeData()->urls().isEmpty() && event->mimeData()->urls().front().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty())
        return;
    openFile(urls.front().toLocalFile());
    event->acceptProposedAction();
}

}  // namespace ddsm::ui
