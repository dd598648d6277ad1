#include "main_window.h"

#include "compare_panel.h"
#include "denoising_panel.h"
#include "metrics_panel.h"
#include "model_panel.h"
#include "model_session.h"
#include "quality_plot.h"
#include "quality_work.h"
#include "recent_files.h"
#include "sampler_form.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "timeline/schedule_document_model.h"
#include "elided_label.h"
#include "user_messages.h"
#include "workspace_state.h"

#include "api/ddsm_api.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>

namespace ddsm::ui {

namespace {
const int kRerunDelayMs = 300;

// The scroll area of every dock: it asks for a modest size whatever its
// contents, so new panes, long texts or images never make the main window
// redistribute its docks; only the user (or Reset Layout) sizes them.
class DockScrollArea : public QScrollArea {
public:
    QSize sizeHint() const override { return {240, 160}; }
};

// A .safetensors file starts with the little-endian length of its JSON header,
// then the header's '{'. Anything else was never a model.
bool looksLikeSafetensors(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return true;  // unreadable: the loader's own message says why
    const QByteArray head = file.read(9);
    if (head.size() < 9)
        return false;
    quint64 length = 0;
    for (int i = 7; i >= 0; --i)
        length = (length << 8) | quint8(head[i]);
    return length > 0 && length <= quint64(file.size()) - 8 && head[8] == '{';
}
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
    QualityWork::Parts parts;
    parts.session = session_;
    parts.document = document_;
    parts.metrics = metricsPanel_;
    parts.search = searchPanel_;
    parts.schedule = schedulePanel_;
    parts.sampler = [this] { return samplerChoice(); };
    parts.otherUserWorkRunning = [this] { return session_->isRunning(denoiseJob_) || comparePanel_->isRunning(); };
    quality_ = new QualityWork(std::move(parts), this);
    buildMenus();
    buildStatusBar();
    connectSession();

    rerunTimer_ = new QTimer(this);
    rerunTimer_->setSingleShot(true);
    rerunTimer_->setInterval(kRerunDelayMs);
    connect(rerunTimer_, &QTimer::timeout, this, &MainWindow::restartDenoising);
    workspace_ = new WorkspaceState([this]() -> std::optional<Workspace> {
        if (!session_->hasModel())
            return std::nullopt;
        return currentWorkspace();
    }, this);
    connect(workspace_, &WorkspaceState::dirtyChanged, this, &MainWindow::refreshTitle);
    backgroundQualityAction_->setChecked(quality_->backgroundEnabled());
    if (!quality_->backgroundEnabled()) {
        // Switched off earlier: say so instead of staying silent (the Metrics dock says it too).
        const QString off = QualityWork::backgroundOffText();
        // Once shown: a message set before the window is visible is drawn over the status widgets.
        QTimer::singleShot(0, this, [this, off] { statusBar()->showMessage(off, 15'000); });
    }
    connectQualityWork();

    connect(document_, &ScheduleDocumentModel::scheduleChanged, this, &MainWindow::onScheduleEdited);
    connect(document_, &ScheduleDocumentModel::stepsChanged, this, &MainWindow::onScheduleEdited);
    connect(denoisingPanel_->form(), &SamplerForm::changed, this, &MainWindow::onSamplerEdited);
    connect(denoisingPanel_, &DenoisingPanel::rerunRequested, this, &MainWindow::restartDenoising);

    QSettings settings;
    if (!restoreGeometry(settings.value("mainWindow/geometry").toByteArray())) {
        // First start: a comfortable size that still fits a small screen.
        const QSize available = screen() ? screen()->availableGeometry().size() : QSize(1400, 900);
        resize(std::min(1400, available.width()), std::min(900, available.height()));
    }
    if (!restoreState(settings.value("mainWindow/state").toByteArray(), kLayoutVersion)) {
        // First start: sizes apply once the window has its own size.
        QTimer::singleShot(0, this, &MainWindow::resetLayout);
    }
    refreshTitle();
    refreshMetrics();
}

MainWindow::~MainWindow()
{
    if (animationWriter_)
        animationWriter_->wait();  // a file half written is worse than a short wait
}

void MainWindow::buildDocks()
{
    modelPanel_ = new ModelPanel;
    schedulePanel_ = new SchedulePanel(document_);
    denoisingPanel_ = new DenoisingPanel;
    metricsPanel_ = new MetricsPanel;
    comparePanel_ = new ComparePanel(session_);
    searchPanel_ = new SearchPanel;

    // A pane smaller than its contents scrolls instead of drawing over its neighbours.
    const auto scrolled = [](const QString& name, QWidget* content) {
        auto* scroll = new DockScrollArea;
        scroll->setObjectName(name + QStringLiteral("Scroll"));
        scroll->setWidget(content);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        return scroll;
    };
    const auto addDock = [this, scrolled](const QString& name, const QString& title, QWidget* content) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);  // saveState/restoreState key
        dock->setWidget(scrolled(name, content));
        dock->setMinimumSize(160, 100);
        return dock;
    };
    // The images are the centre of the window: it takes whatever room the docks leave.
    views_ = new QTabWidget;
    views_->setObjectName(QStringLiteral("Views"));
    views_->setDocumentMode(true);
    views_->addTab(scrolled(QStringLiteral("Denoising"), denoisingPanel_), tr("Denoising"));
    views_->addTab(scrolled(QStringLiteral("Compare"), comparePanel_), tr("Compare"));
    setCentralWidget(views_);
    addDock(QStringLiteral("ScheduleDock"), tr("Schedule"), schedulePanel_);
    addDock(QStringLiteral("ModelDock"), tr("Model"), modelPanel_);
    addDock(QStringLiteral("SearchDock"), tr("Search"), searchPanel_);
    addDock(QStringLiteral("MetricsDock"), tr("Metrics"), metricsPanel_);
    arrangeDocks();
    connect(comparePanel_, &ComparePanel::runStarted, this, [this] {
        quality_->pause(tr("Paused: the comparison runs first; measuring resumes after it."));
    });
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

void MainWindow::arrangeDocks()
{
    // The views and the timeline take the middle; Metrics and the rarely
    // needed Model/Search sit in one column at the right.
    QDockWidget* schedule = dock(QStringLiteral("ScheduleDock"));
    QDockWidget* model = dock(QStringLiteral("ModelDock"));
    QDockWidget* search = dock(QStringLiteral("SearchDock"));
    QDockWidget* metrics = dock(QStringLiteral("MetricsDock"));
    for (QDockWidget* d : {schedule, model, search, metrics}) {
        d->setFloating(false);
        d->show();
    }
    addDockWidget(Qt::BottomDockWidgetArea, schedule);
    addDockWidget(Qt::RightDockWidgetArea, metrics);
    splitDockWidget(metrics, model, Qt::Vertical);
    tabifyDockWidget(model, search);
    setCorner(Qt::TopLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    views_->setCurrentIndex(0);
    model->raise();
}

void MainWindow::resetLayout()
{
    arrangeDocks();
    // Sizes apply once the docks have their places.
    QTimer::singleShot(0, this, &MainWindow::sizeDocks);
}

void MainWindow::sizeDocks()
{
    const int side = std::clamp(width() / 4, 260, 420);
    resizeDocks({dock(QStringLiteral("MetricsDock"))}, {side}, Qt::Horizontal);
    resizeDocks({dock(QStringLiteral("MetricsDock")), dock(QStringLiteral("ModelDock"))},
                {height() * 3 / 5, height() * 2 / 5}, Qt::Vertical);
    resizeDocks({dock(QStringLiteral("ScheduleDock"))}, {std::clamp(height() * 3 / 10, 200, 340)}, Qt::Vertical);
}

void MainWindow::buildStatusBar()
{
    // Fixed-size, elided: a long job label never widens the window.
    modelStatus_ = new ElidedLabel(tr("No model"), 1, 16);
    backendStatus_ = new QLabel(session_->backendText());
    jobStatus_ = new ElidedLabel(tr("Idle"), 1, 24);
    // Its own width, neither more nor less: a temporary message is drawn left
    // of the permanent widgets, in the room this label leaves.
    jobStatus_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    jobProgress_ = new QProgressBar;
    jobProgress_->setMaximumWidth(160);
    jobProgress_->setVisible(false);
    cancelJob_ = new QPushButton(tr("Cancel"));
    cancelJob_->setEnabled(false);
    connect(cancelJob_, &QPushButton::clicked, session_, &ModelSession::cancelAll);
    statusBar()->addWidget(modelStatus_, 1);
    statusBar()->addWidget(backendStatus_);
    statusBar()->addPermanentWidget(jobStatus_);
    statusBar()->addPermanentWidget(jobProgress_);
    statusBar()->addPermanentWidget(cancelJob_);
}

void MainWindow::connectSession()
{
    connect(session_, &ModelSession::modelOpened, this, &MainWindow::onModelOpened);
    connect(session_, &ModelSession::modelOpenFailed, this, [this](const QString& path, const QString& message) {
        pending_.hold(std::nullopt, std::nullopt);
        const QString what = looksLikeSafetensors(path)
                                     || !path.endsWith(QLatin1String(".safetensors"), Qt::CaseInsensitive)
                                 ? message
                                 : tr("This is not a model file: a .safetensors model starts with the length of its "
                                      "JSON header, and this file does not.");
        const QString after = session_->hasModel() ? tr("The current model (%1) stays loaded.").arg(session_->model().name)
                                                   : tr("No model is loaded.");
        reportError(tr("Could not open model"), tr("%1\n\n%2\n\n%3").arg(QFileInfo(path).fileName(), what, after));
    });
    connect(session_, &ModelSession::frameReady, denoisingPanel_, &DenoisingPanel::addFrame);
    connect(session_, &ModelSession::samplingFinished, denoisingPanel_, &DenoisingPanel::finishRun);
    connect(session_, &ModelSession::latencyMeasured, this, [this](const LatencyProfile& profile) {
        modelPanel_->showLatency(profile);
        modelPanel_->setMeasuring(false);
        refreshMetrics();
    });
    connect(session_, &ModelSession::jobStarted, this, [this](int job, const QString& label) {
        jobLabels_[job] = label;
        refreshJobStatus();
    });
    connect(session_, &ModelSession::jobProgress, this, [this](int job, int done, int total) {
        if (jobLabels_.empty() || job != jobLabels_.begin()->first)
            return;  // only the running job's progress
        jobProgress_->setRange(0, total);
        jobProgress_->setValue(done);
    });
    connect(session_, &ModelSession::jobEnded, this, [this](int job, bool) {
        jobLabels_.erase(job);
        refreshJobStatus();
        if (!session_->isBusy())
            modelPanel_->setMeasuring(false);
        quality_->resumeIfIdle();
    });
}

void MainWindow::connectQualityWork()
{
    connect(session_, &ModelSession::samplingFinished, this, [this](const SamplingOutcome& outcome) {
        if (outcome.job == denoiseJob_ && !outcome.cancelled && !outcome.failed)
            quality_->denoisingFinished();
    });
    connect(quality_, &QualityWork::errorReported, this, &MainWindow::reportError);
    connect(quality_, &QualityWork::statusMessage, this,
            [this](const QString& text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); });
    connect(quality_, &QualityWork::backgroundChanged, backgroundQualityAction_, &QAction::setChecked);
    connect(quality_, &QualityWork::stepWidthsChosen, this, &MainWindow::applyStepWidths);
    connect(metricsPanel_->plot(), &QualityPlot::scheduleClicked, this,
            [this](const StepSchedule& schedule, const QString& label) {
                if (schedule.T() == document_->T() && schedule != document_->schedule())
                    document_->setSchedule(schedule, label, tr("Load schedule from the quality plot"));
            });
}

int MainWindow::qualityJob() const { return quality_->qualityJob(); }
int MainWindow::searchJob() const { return quality_->searchJob(); }
bool MainWindow::backgroundQualityEnabled() const { return quality_->backgroundEnabled(); }
bool MainWindow::backgroundQualityPaused() const { return quality_->paused(); }
bool MainWindow::userWorkRunning() const { return quality_->userWorkRunning(); }
void MainWindow::startQualityRun() { quality_->startMeasuring(); }
void MainWindow::startSearch() { quality_->startSearch(); }
bool MainWindow::loadQualityPredictor(const QString& path) { return quality_->loadPredictor(path); }

void MainWindow::setBackgroundQuality(bool enabled, int maxSamples, int batch)
{
    quality_->setBackground(enabled, maxSamples, batch);
}

bool MainWindow::loadImportanceProfile(const QString& path, bool distanceChanges)
{
    return quality_->loadImportanceProfile(path, distanceChanges);
}

bool MainWindow::isSettled() const
{
    return !session_->isBusy() && !rerunTimer_->isActive() && !quality_->pending();
}

void MainWindow::applyStepWidths(const std::vector<double>& stepWidths, const QString& name)
{
    if (!session_->hasModel() || stepWidths.empty())
        return;
    const int T = document_->T();
    const int steps = int(stepWidths.size());
    if (steps > T)
        return;
    const StepSchedule schedule = StepSchedule::fromWidths(api::widthsByTimestep(T, stepWidths));
    if (document_->steps() != steps)
        document_->setSteps(steps);
    document_->setSchedule(schedule, name, tr("Load %1").arg(name));
}

void MainWindow::refreshJobStatus()
{
    // The worker runs jobs in the order they were queued: the first one runs now.
    if (jobLabels_.empty()) {
        shownJob_ = 0;
        jobStatus_->setText(tr("Idle"));
        jobProgress_->setVisible(false);
        cancelJob_->setEnabled(false);
        return;
    }
    const auto& [job, label] = *jobLabels_.begin();
    const int queued = int(jobLabels_.size()) - 1;
    jobStatus_->setText(queued > 0 ? tr("%1 (then %n more)", nullptr, queued).arg(label) : label);
    if (job != shownJob_) {
        shownJob_ = job;
        jobProgress_->setRange(0, 0);
    }
    jobProgress_->setVisible(true);
    cancelJob_->setEnabled(true);
}

QString MainWindow::statusText() const { return jobStatus_->text(); }

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
    // A model may ship the schedule to start from (NAME.schedule.json, as the
    // shipped model and `ddsm import-checkpoint` do), with the sampler it was
    // searched for: a new user first sees the schedule and its saving.
    if (const auto problem = pending_.holdStartingSchedule(model.path, model.T(), denoisingPanel_->form()->choice()))
        statusBar()->showMessage(tr("Starting schedule not loaded: %1").arg(*problem), 15000);
    const PendingSettings::Start start = pending_.take(model.T(), denoisingPanel_->form()->choice());
    SamplerChoice sampler = start.sampler;
    sampler.steps = std::clamp(sampler.steps, 1, model.T());
    // The form settles first: resetting the document re-reads the sampler
    // (its step count), and a half-applied one loads another's sidecars.
    denoisingPanel_->form()->setMaxSteps(model.T());
    denoisingPanel_->form()->setChoice(sampler);
    try {
        document_->reset(model.T(), model.widths, sampler.steps, start.schedule, start.name);
    } catch (const std::exception& e) {
        // A schedule with widths the model lacks: start from full width instead.
        reportError(tr("Schedule does not fit this model"), QString::fromStdString(e.what()));
        document_->reset(model.T(), model.widths, sampler.steps);
    }
    modelPanel_->showModel(model);
    metricsPanel_->plot()->clearAll();
    quality_->modelOpened(model);
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
    setDirty(start.recovering);
    denoisingPanel_->setWaitingText(tr("Samples appear here step by step as the run computes them"));
    restartDenoising();
    // Costs are measured, not only counted: time every width once per model.
    startLatencyProfile();
    emit modelReady();
}

void MainWindow::onScheduleEdited()
{
    quality_->reloadSidecarsIfSamplerChanged();  // a new step count is another sampler
    refreshMetrics();
    comparePanel_->setCurrentSchedule(document_->schedule());
    comparePanel_->setSampler(samplerChoice());
    if (denoisingPanel_->form()->choice().steps != document_->steps()) {
        SamplerChoice c = denoisingPanel_->form()->choice();
        c.steps = document_->steps();
        denoisingPanel_->form()->setChoice(c);
    }
    setDirty(true);
    quality_->invalidate();
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
    quality_->reloadSidecarsIfSamplerChanged();
    refreshMetrics();
    setDirty(true);
    quality_->invalidate();
    scheduleRerun();
}

void MainWindow::refreshMetrics()
{
    metricsPanel_->recompute(session_->model(), document_->schedule(), document_->steps(), session_->latency());
    quality_->refreshPredictedQuality();
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
    quality_->holdForDenoising();
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
    denoisingPanel_->setWaitingText(quality_->searchJob() ? tr("Waiting for the search: the network runs one job at a time; "
                                                    "these samples follow its current generation's end or a Cancel")
                                               : tr("Samples appear here step by step as the run computes them"));
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

void MainWindow::refreshTitle()
{
    QString title = session_->hasModel() ? session_->model().name : tr("no model");
    if (!workspacePath_.isEmpty())
        title += QStringLiteral(" — ") + QFileInfo(workspacePath_).fileName();
    setWindowTitle(title + (isDirty() ? QStringLiteral(" *") : QString()) + QStringLiteral(" — DDSM Studio"));
}

bool MainWindow::isDirty() const { return workspace_->isDirty(); }

void MainWindow::setDirty(bool dirty)
{
    if (dirty)
        workspace_->markEdited();
    else
        workspace_->markSaved();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (confirmClose_ && isDirty() && messages_) {
        const auto choice = messages_->askToSave(
            tr("Unsaved changes"), tr("The schedule or settings have changed since the workspace was last saved. "
                                      "Save them before quitting?"));
        if (choice == UserMessages::SaveChoice::Cancel) {
            event->ignore();
            return;
        }
        if (choice == UserMessages::SaveChoice::Save) {
            QString path = workspacePath_;
            if (path.isEmpty())
                path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), QStringLiteral("workspace.ddsm.json"),
                                                    tr("Workspaces (*.json)"));
            if (path.isEmpty() || !saveWorkspace(path)) {
                event->ignore();
                return;
            }
        }
    }
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState(kLayoutVersion));
    // A clean exit: nothing to recover next time.
    workspace_->markSaved();
    session_->cancelAll();
    event->accept();
}

}  // namespace ddsm::ui
