#include "main_window.h"

#include "compare_panel.h"
#include "denoising_panel.h"
#include "metrics_panel.h"
#include "model_panel.h"
#include "model_session.h"
#include "quality_plot.h"
#include "quality_predictor.h"
#include "recent_files.h"
#include "sampler_form.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "timeline/schedule_document_model.h"
#include "user_messages.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>

namespace ddsm::ui {

namespace {
const int kRerunDelayMs = 300;
const int kAutosaveIntervalMs = 30'000;
// After a finished denoising run, before the background FID starts sampling.
const int kQualityDelayMs = 800;
}  // namespace

MainWindow::MainWindow(int threads, QWidget* parent) : QMainWindow(parent)
{
    setObjectName("MainWindow");
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    messages_ = std::make_unique<MessageBoxMessages>(this);
    session_ = new ModelSession(threads, this);
    document_ = new ScheduleDocumentModel(this);

    buildDocks();
    buildMenus();
    buildStatusBar();
    connectSession();

    rerunTimer_ = new QTimer(this);
    rerunTimer_->setSingleShot(true);
    rerunTimer_->setInterval(kRerunDelayMs);
    connect(rerunTimer_, &QTimer::timeout, this, &MainWindow::restartDenoising);
    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setInterval(kAutosaveIntervalMs);
    connect(autosaveTimer_, &QTimer::timeout, this, &MainWindow::writeAutosave);
    autosaveTimer_->start();
    qualityTimer_ = new QTimer(this);
    qualityTimer_->setSingleShot(true);
    qualityTimer_->setInterval(kQualityDelayMs);
    backgroundQuality_ = QSettings().value("metrics/backgroundFid", true).toBool();
    backgroundQualityAction_->setChecked(backgroundQuality_);
    connectQualityJobs();

    connect(document_, &ScheduleDocumentModel::scheduleChanged, this, &MainWindow::onScheduleEdited);
    connect(document_, &ScheduleDocumentModel::stepsChanged, this, &MainWindow::onScheduleEdited);
    connect(denoisingPanel_->form(), &SamplerForm::changed, this, &MainWindow::onSamplerEdited);
    connect(denoisingPanel_, &DenoisingPanel::rerunRequested, this, &MainWindow::restartDenoising);

    QSettings settings;
    restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
    if (!restoreState(settings.value("mainWindow/state").toByteArray())) {
        // First start: sizes apply once the window has its own size.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({dock("ModelDock"), dock("MetricsDock")}, {width() / 4, width() / 4}, Qt::Horizontal);
            resizeDocks({dock("DenoisingDock"), dock("ScheduleDock")}, {height() * 3 / 5, height() * 2 / 5}, Qt::Vertical);
        });
    }
    refreshTitle();
    refreshMetrics();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks()
{
    modelPanel_ = new ModelPanel;
    modelPanel_->setMinimumWidth(340);
    schedulePanel_ = new SchedulePanel(document_);
    denoisingPanel_ = new DenoisingPanel;
    metricsPanel_ = new MetricsPanel;
    comparePanel_ = new ComparePanel(session_);
    searchPanel_ = new SearchPanel;

    const auto addDock = [this](const QString& name, const QString& title, QWidget* content, Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);  // saveState/restoreState key
        dock->setWidget(content);
        addDockWidget(area, dock);
        return dock;
    };
    QDockWidget* denoising = addDock("DenoisingDock", tr("Denoising"), denoisingPanel_, Qt::TopDockWidgetArea);
    QDockWidget* compare = addDock("CompareDock", tr("Compare"), comparePanel_, Qt::TopDockWidgetArea);
    addDock("ScheduleDock", tr("Schedule"), schedulePanel_, Qt::BottomDockWidgetArea);
    QDockWidget* model = addDock("ModelDock", tr("Model"), modelPanel_, Qt::LeftDockWidgetArea);
    QDockWidget* search = addDock("SearchDock", tr("Search"), searchPanel_, Qt::LeftDockWidgetArea);
    tabifyDockWidget(model, search);
    model->raise();
    addDock("MetricsDock", tr("Metrics"), metricsPanel_, Qt::RightDockWidgetArea);
    tabifyDockWidget(denoising, compare);
    // Model and Metrics run the full height beside the views and the timeline.
    setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    denoising->raise();
    connect(modelPanel_, &ModelPanel::measureLatencyRequested, this, &MainWindow::startLatencyProfile);
    connect(comparePanel_, &ComparePanel::addFromFileRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add Schedule to Compare"), QString(),
                                                          tr("Schedules (*.json *.txt)"));
        if (path.isEmpty())
            return;
        QString error;
        ScheduleDocumentModel probe;
        probe.reset(document_->T(), document_->modelWidths(), document_->steps());
        if (probe.importFile(path, &error))
            comparePanel_->addPane(QFileInfo(path).completeBaseName(), probe.schedule());
        else
            reportError(tr("Could not add schedule"), error);
    });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open"), QString(),
            tr("Models, grids and workspaces (*.safetensors *.pt *.pth *.ckpt *.png *.json);;Models (*.safetensors *.json);;"
               "Checkpoints of the DDSM paper's code (*.pt *.pth *.ckpt);;Grid PNGs with settings (*.png);;Workspaces (*.json)"));
        if (!path.isEmpty())
            openFile(path);
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(tr("Open &Workspace…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Workspace"), QString(), tr("Workspaces (*.json)"));
        if (!path.isEmpty())
            openWorkspace(path);
    });
    QAction* save = file->addAction(tr("&Save Workspace"), this, [this] {
        QString path = workspacePath_;
        if (path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), "workspace.ddsm.json", tr("Workspaces (*.json)"));
        if (!path.isEmpty())
            saveWorkspace(path);
    });
    save->setShortcut(QKeySequence::Save);
    file->addAction(tr("Save Workspace &As…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), "workspace.ddsm.json", tr("Workspaces (*.json)"));
        if (!path.isEmpty())
            saveWorkspace(path);
    });
    file->addSeparator();
    file->addAction(tr("&Import Schedule…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import Schedule"), QString(),
                                                          tr("Schedules (*.json *.txt);;All files (*)"));
        if (!path.isEmpty())
            importSchedule(path);
    });
    file->addAction(tr("&Export Schedule…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Schedule"), "schedule.json",
                                                          tr("Schedule JSON (*.json);;DDSM search.txt (*.txt)"));
        if (!path.isEmpty())
            exportSchedule(path);
    });
    file->addAction(tr("Export &Grid PNG…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Grid PNG"), "grid.png", tr("PNG (*.png)"));
        if (!path.isEmpty())
            exportGridPng(path);
    });
    file->addAction(tr("Export &Animation…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Animation"), "denoising.mp4",
                                                          tr("MP4 video (*.mp4);;Folder of PNG frames (*)"));
        if (!path.isEmpty())
            exportAnimation(path);
    });
    file->addAction(tr("Load &Quality Predictor…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Quality Predictor"), QString(),
                                                          tr("Distance predictors (*.json)"));
        if (!path.isEmpty())
            loadQualityPredictor(path);
    });
    file->addAction(tr("Load Step &Importance Profile…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Step Importance Profile"), QString(),
                                                          tr("Step importance (ddsm importance) (*.csv)"));
        if (!path.isEmpty())
            loadImportanceProfile(path);
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        viewMenu_->addAction(dock->toggleViewAction());

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* rerun = run->addAction(tr("Run &Denoising Again"));
    rerun->setShortcut(QKeySequence(Qt::Key_F5));
    connect(rerun, &QAction::triggered, this, &MainWindow::restartDenoising);
    connect(run->addAction(tr("Run &Comparison")), &QAction::triggered, comparePanel_, &ComparePanel::run);
    connect(run->addAction(tr("&Measure Latency per Width")), &QAction::triggered, modelPanel_,
            &ModelPanel::measureLatencyRequested);
    run->addSeparator();
    backgroundQualityAction_ = run->addAction(tr("Measure &FID in the Background"));
    backgroundQualityAction_->setCheckable(true);
    backgroundQualityAction_->setToolTip(tr("After every edit, measure the current schedule's FID and KID, "
                                            "tightening as samples accumulate"));
    connect(backgroundQualityAction_, &QAction::toggled, this, [this](bool on) {
        if (on != backgroundQuality_)
            setBackgroundQuality(on, qualityMaxSamples_, qualityBatch_);
    });
    run->addAction(tr("Measure FID &Now"), this, &MainWindow::startQualityRun);
    refreshRecentMenu();
}

void MainWindow::buildStatusBar()
{
    modelStatus_ = new QLabel(tr("No model"));
    backendStatus_ = new QLabel(session_->backendText());
    jobStatus_ = new QLabel(tr("Idle"));
    jobProgress_ = new QProgressBar;
    jobProgress_->setMaximumWidth(160);
    jobProgress_->setVisible(false);
    cancelJob_ = new QPushButton(tr("Cancel"));
    cancelJob_->setEnabled(false);
    connect(cancelJob_, &QPushButton::clicked, session_, &ModelSession::cancelAll);
    statusBar()->addWidget(modelStatus_);
    statusBar()->addWidget(backendStatus_);
    statusBar()->addPermanentWidget(jobStatus_);
    statusBar()->addPermanentWidget(jobProgress_);
    statusBar()->addPermanentWidget(cancelJob_);
}

void MainWindow::connectSession()
{
    connect(session_, &ModelSession::modelOpened, this, &MainWindow::onModelOpened);
    connect(session_, &ModelSession::modelOpenFailed, this, [this](const QString& path, const QString& message) {
        pendingSchedule_.reset();
        pendingSampler_.reset();
        reportError(tr("Could not open model"),
                    tr("%1\n\n%2\n\nThe current model stays loaded.").arg(QFileInfo(path).fileName(), message));
    });
    connect(session_, &ModelSession::frameReady, denoisingPanel_, &DenoisingPanel::addFrame);
    connect(session_, &ModelSession::samplingFinished, denoisingPanel_, &DenoisingPanel::finishRun);
    connect(session_, &ModelSession::latencyMeasured, this, [this](const LatencyProfile& profile) {
        modelPanel_->showLatency(profile);
        modelPanel_->setMeasuring(false);
        refreshMetrics();
    });
    connect(session_, &ModelSession::jobStarted, this, [this](int job, const QString& label) {
        shownJob_ = job;
        jobStatus_->setText(label);
        jobProgress_->setRange(0, 0);
        jobProgress_->setVisible(true);
        cancelJob_->setEnabled(true);
    });
    connect(session_, &ModelSession::jobProgress, this, [this](int job, int done, int total) {
        if (job != shownJob_)
            return;
        jobProgress_->setRange(0, total);
        jobProgress_->setValue(done);
    });
    connect(session_, &ModelSession::jobEnded, this, [this](int job, bool cancelled) {
        if (job != shownJob_)
            return;
        jobStatus_->setText(cancelled ? tr("Cancelled") : tr("Idle"));
        if (session_->isBusy())
            return;
        jobProgress_->setVisible(false);
        cancelJob_->setEnabled(false);
        modelPanel_->setMeasuring(false);
    });
}

QDockWidget* MainWindow::dock(const QString& objectName) const
{
    return findChild<QDockWidget*>(objectName);
}

void MainWindow::setUserMessages(std::unique_ptr<UserMessages> messages)
{
    messages_ = std::move(messages);
}

void MainWindow::reportError(const QString& title, const QString& text)
{
    emit errorReported(title, text);
    if (messages_)
        messages_->error(title, text);
}

SamplerChoice MainWindow::samplerChoice() const
{
    SamplerChoice choice = denoisingPanel_->form()->choice();
    if (document_->steps() > 0)
        choice.steps = document_->steps();
    return choice;
}

void MainWindow::setSamplerChoice(const SamplerChoice& choice)
{
    denoisingPanel_->form()->setChoice(choice);
    if (document_->T() > 0 && choice.steps != document_->steps())
        document_->setSteps(std::clamp(choice.steps, 1, document_->T()));
    onSamplerEdited();
}

void MainWindow::onModelOpened(const ModelInfo& model)
{
    SamplerChoice sampler = pendingSampler_.value_or(denoisingPanel_->form()->choice());
    sampler.steps = std::clamp(sampler.steps, 1, model.T());
    StepSchedule schedule;
    QString name;
    if (pendingSchedule_ && pendingSchedule_->schedule.T() == model.T()) {
        schedule = pendingSchedule_->schedule;
        name = QString::fromStdString(pendingSchedule_->name);
    }
    pendingSchedule_.reset();
    pendingSampler_.reset();
    try {
        document_->reset(model.T(), model.widths, sampler.steps, schedule, name);
    } catch (const std::exception& e) {
        // A schedule with widths the model lacks: start from full width instead.
        reportError(tr("Schedule does not fit this model"), QString::fromStdString(e.what()));
        document_->reset(model.T(), model.widths, sampler.steps);
    }
    denoisingPanel_->form()->setMaxSteps(model.T());
    denoisingPanel_->form()->setChoice(sampler);
    modelPanel_->showModel(model);
    metricsPanel_->plot()->clearAll();
    predictor_.reset();
    loadModelSidecars(model);
    refreshUniformPredictions();
    comparePanel_->setModel(model);
    comparePanel_->setSampler(samplerChoice());
    comparePanel_->setCurrentSchedule(document_->schedule());
    modelStatus_->setText(tr("Model: %1").arg(model.name));
    modelStatus_->setToolTip(model.path);
    backendStatus_->setText(session_->backendText());
    addRecentFile(model.path);
    refreshRecentMenu();
    refreshTitle();
    refreshMetrics();
    setDirty(recoveringAutosave_);
    recoveringAutosave_ = false;
    restartDenoising();
    // Costs are measured, not only counted: time every width once per model.
    startLatencyProfile();
    emit modelReady();
}

void MainWindow::onScheduleEdited()
{
    refreshMetrics();
    comparePanel_->setCurrentSchedule(document_->schedule());
    comparePanel_->setSampler(samplerChoice());
    if (denoisingPanel_->form()->choice().steps != document_->steps()) {
        SamplerChoice c = denoisingPanel_->form()->choice();
        c.steps = document_->steps();
        denoisingPanel_->form()->setChoice(c);
    }
    setDirty(true);
    invalidateMeasuredQuality();
    scheduleRerun();
}

void MainWindow::onSamplerEdited()
{
    const SamplerChoice choice = denoisingPanel_->form()->choice();
    if (document_->T() > 0 && choice.steps != document_->steps()) {
        document_->setSteps(std::clamp(choice.steps, 1, document_->T()));
        return;  // stepsChanged brings us to onScheduleEdited
    }
    comparePanel_->setSampler(samplerChoice());
    refreshMetrics();
    setDirty(true);
    invalidateMeasuredQuality();
    scheduleRerun();
}

void MainWindow::refreshMetrics()
{
    metricsPanel_->recompute(session_->model(), document_->schedule(), document_->steps(), session_->latency());
    refreshPredictedQuality();
}

void MainWindow::refreshPredictedQuality()
{
    if (!predictor_) {
        metricsPanel_->setPredictedQuality(std::nullopt);
        return;
    }
    QString whyNot;
    if (const auto quality = predictor_->predict(document_->schedule(), document_->steps(), &whyNot))
        metricsPanel_->setPredictedQuality(quality);
    else
        metricsPanel_->setPredictedQualityUnavailable(whyNot);
}

void MainWindow::scheduleRerun()
{
    if (session_->hasModel())
        rerunTimer_->start();  // restarts the delay: a drag reruns once it pauses
}

void MainWindow::restartDenoising()
{
    rerunTimer_->stop();
    if (!session_->hasModel() || document_->T() == 0)
        return;
    session_->cancel(denoiseJob_);
    // Samples come first: a running FID starts again once the run is done.
    qualityTimer_->stop();
    session_->cancel(qualityJob_);
    // The user waits for samples, not for timings: a pending profile goes after the run.
    const bool profilePending = session_->isRunning(profileJob_);
    session_->cancel(profileJob_);
    SamplingRequest request;
    request.sampler = samplerChoice();
    request.stepWidths = document_->stepWidths();
    runSchedule_ = document_->schedule();
    runSampler_ = request.sampler;
    denoiseJob_ = session_->startSampling(request, tr("Denoising %n step(s)", nullptr, request.sampler.steps));
    denoisingPanel_->beginRun(denoiseJob_, request.sampler.steps);
    // A comparison the user is looking at follows the edits too.
    if (comparePanel_->hasRun() && comparePanel_->isVisible())
        comparePanel_->run();
    if (profilePending)
        startLatencyProfile();
}

void MainWindow::startLatencyProfile()
{
    session_->cancel(profileJob_);
    profileJob_ = session_->startLatencyProfile();
    if (profileJob_)
        modelPanel_->setMeasuring(true);
}

void MainWindow::refreshRecentMenu()
{
    recentMenu_->clear();
    const QStringList files = recentFiles();
    for (const QString& path : files)
        recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    recentMenu_->setEnabled(!files.isEmpty());
    if (!files.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear"), this, [this] {
            clearRecentFiles();
            refreshRecentMenu();
        });
    }
}

void MainWindow::refreshTitle()
{
    QString title = session_->hasModel() ? session_->model().name : tr("no model");
    if (!workspacePath_.isEmpty())
        title += QStringLiteral(" — ") + QFileInfo(workspacePath_).fileName();
    setWindowTitle(title + (dirty_ ? QStringLiteral(" *") : QString()) + QStringLiteral(" — DDSM Studio"));
}

void MainWindow::setDirty(bool dirty)
{
    if (dirty_ == dirty)
        return;
    dirty_ = dirty;
    refreshTitle();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
    // A clean exit: nothing to recover next time.
    QFile::remove(autosavePath());
    session_->cancelAll();
    event->accept();
}

}  // namespace ddsm::ui
