#pragma once
// The DDSM Studio main window: docks for the model, the schedule timeline,
// denoising, metrics and comparison around one ModelSession (the network and
// its worker thread) and one ScheduleDocumentModel (the schedule with undo).
#include "pending_settings.h"
#include "sampler_choice.h"
#include "schedule/schedule_document.h"

#include <QMainWindow>
#include <QPointer>
#include <QThread>

#include <map>
#include <memory>
#include <optional>

class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QPushButton;
class QTimer;

namespace ddsm::ui {

class ComparePanel;
class DenoisingPanel;
class MetricsPanel;
class ModelPanel;
class ModelSession;
class ScheduleDocumentModel;
class SchedulePanel;
class QualityWork;
class ElidedLabel;
class SearchPanel;
class UserMessages;
class WorkspaceState;
struct ModelInfo;
struct Workspace;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Bumped whenever the dock arrangement changes: older saved layouts are not restored.
    static constexpr int kLayoutVersion = 2;

    // `threads` <= 0: every core.
    explicit MainWindow(int threads = 0, QWidget* parent = nullptr);
    ~MainWindow() override;

    ModelSession* session() const { return session_; }
    ScheduleDocumentModel* document() const { return document_; }
    ModelPanel* modelPanel() const { return modelPanel_; }
    SchedulePanel* schedulePanel() const { return schedulePanel_; }
    DenoisingPanel* denoisingPanel() const { return denoisingPanel_; }
    MetricsPanel* metricsPanel() const { return metricsPanel_; }
    ComparePanel* comparePanel() const { return comparePanel_; }
    SearchPanel* searchPanel() const { return searchPanel_; }
    QDockWidget* dock(const QString& objectName) const;
    // The centre: Denoising and Compare as tabs.
    QTabWidget* views() const { return views_; }
    void setUserMessages(std::unique_ptr<UserMessages> messages);

    // The current sampler settings (steps from the schedule document).
    SamplerChoice samplerChoice() const;
    void setSamplerChoice(const SamplerChoice& choice);
    int denoisingJob() const { return denoiseJob_; }
    int qualityJob() const;
    int searchJob() const;
    // The measured FID that follows edits: on by default (remembered), with
    // up to `maxSamples` images in batches of `batch`.
    void setBackgroundQuality(bool enabled, int maxSamples = 2000, int batch = 100);
    bool backgroundQualityEnabled() const;
    // No job is running and none is about to start (a debounced rerun or FID run).
    bool isSettled() const;
    bool isDirty() const;
    // Where unsaved edits are written within ~2 s of an edit (AppDataLocation).
    static QString autosavePath();
    WorkspaceState* workspaceState() const { return workspace_; }
    // The label of the job the worker runs now, as the status line shows it.
    QString statusText() const;
    // Whether work the user asked for (denoising, comparison, search) is queued or running.
    bool userWorkRunning() const;
    // The background FID waits for user work and resumes after it.
    bool backgroundQualityPaused() const;
    // Whether closing asks about unsaved edits (scripted runs say no).
    void setConfirmClose(bool confirm) { confirmClose_ = confirm; }
    // The layout of a first start: views in the middle, Metrics and Model/Search at the right.
    void resetLayout();

public slots:
    // Any file the window understands, told apart by content: a model
    // (.safetensors), a grid PNG with settings, a workspace, a schedule file.
    void openFile(const QString& path);
    void openModel(const QString& path);
    // Each returns false after telling the user what went wrong.
    bool importSchedule(const QString& path);
    bool exportSchedule(const QString& path);
    bool exportGridPng(const QString& path);
    // ".mp4" writes a video; any other path is a folder of PNG frames. Encoded
    // off the GUI thread: true once started, then animationExported.
    bool exportAnimation(const QString& path);
    bool saveWorkspace(const QString& path);
    bool openWorkspace(const QString& path);
    bool restoreSettingsFromPng(const QString& path);
    // A calibrated distance predictor (`ddsm predictor`): the Metrics dock then
    // shows its predicted quality for every edit.
    bool loadQualityPredictor(const QString& path);
    // A step-importance CSV (`ddsm importance`): drawn over the timeline.
    // `distanceChanges` false: draw the eps departure even if the file has FID changes.
    bool loadImportanceProfile(const QString& path, bool distanceChanges = true);
    // Starts a measured FID of the current schedule now (cancelling a running one).
    void startQualityRun();
    void startSearch();
    // Loads per-step widths (denoising order) as the schedule, one undo step.
    void applyStepWidths(const std::vector<double>& stepWidths, const QString& name);
    // Restarts the denoising run now (cancelling the running one).
    void restartDenoising();
    // Offers autosaved edits from a run of the application that did not close
    // cleanly; true if the user took them (their model is then opening).
    bool offerAutosaveRecovery();
    void writeAutosave();
    // Start-up: recovery first (if offered and taken, it wins over `files`),
    // then the file from the command line.
    void openAtStart(const QStringList& files, bool offerRecovery);

signals:
    // Every error shown to the user, also when messages go elsewhere (tests).
    void errorReported(const QString& title, const QString& text);
    void modelReady();
    // An animation export ended: `error` empty when the file was written.
    void animationExported(const QString& path, const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildDocks();
    void arrangeDocks();
    void sizeDocks();
    void buildMenus();
    void buildStatusBar();
    void buildHelpMenu();
    void refreshJobStatus();
    void connectSession();
    void connectQualityWork();
    void reportError(const QString& title, const QString& text);
    void onModelOpened(const ModelInfo& model);
    void onScheduleEdited();
    void onSamplerEdited();
    void scheduleRerun();
    void startLatencyProfile();
    void refreshMetrics();
    void refreshRecentMenu();
    void refreshTitle();
    void setDirty(bool dirty);
    Workspace currentWorkspace() const;
    void applyPendingSettings();
    ScheduleDocument scheduleDocumentForExport(const StepSchedule& schedule, const SamplerChoice& sampler) const;

    ModelSession* session_;
    ScheduleDocumentModel* document_;
    ModelPanel* modelPanel_;
    SchedulePanel* schedulePanel_;
    DenoisingPanel* denoisingPanel_;
    MetricsPanel* metricsPanel_;
    ComparePanel* comparePanel_;
    SearchPanel* searchPanel_;
    QTabWidget* views_;  // Denoising and Compare, the centre
    std::unique_ptr<UserMessages> messages_;
    QualityWork* quality_;  // background FID, predictor and importance, search

    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    ElidedLabel* modelStatus_;
    QLabel* backendStatus_;
    ElidedLabel* jobStatus_;
    QProgressBar* jobProgress_;
    QPushButton* cancelJob_;
    QTimer* rerunTimer_;
    WorkspaceState* workspace_;
    QAction* backgroundQualityAction_ = nullptr;

    QThread* animationWriter_ = nullptr;  // encoding an exported animation; the window waits for it on close
    int denoiseJob_ = 0;
    int profileJob_ = 0;
    int shownJob_ = 0;

    // What the last denoising run used, so that exports describe the images.
    StepSchedule runSchedule_;
    SamplerChoice runSampler_;
    // Settings from a workspace, PNG, autosave or the model's file waiting for their model to open.
    PendingSettings pending_;
    QString workspacePath_;
    bool confirmClose_ = true;
    // Labels of queued and running jobs, by id: the worker runs them in this order.
    std::map<int, QString> jobLabels_;
};

}  // namespace ddsm::ui
