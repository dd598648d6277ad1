// MainWindow: the File, Edit, View and Run menus, and the recent files in File.
#include "main_window.h"

#include "compare_panel.h"
#include "model_panel.h"
#include "quality_work.h"
#include "recent_files.h"
#include "timeline/schedule_document_model.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QTabWidget>
#include <QUndoStack>

#include <functional>

namespace ddsm::ui {

namespace {

// What a File-menu action asks before it acts: one file to open or to save to.
struct PathQuestion {
    enum Kind { Open, Save } kind;
    QString title;
    QString suggested;  // a file name to start from, or empty
    QString filter;
};

// The path the user chose over owner; empty when the dialog was cancelled.
QString ask(QWidget* owner, const PathQuestion& question)
{
    return question.kind == PathQuestion::Open
               ? QFileDialog::getOpenFileName(owner, question.title, question.suggested, question.filter)
               : QFileDialog::getSaveFileName(owner, question.title, question.suggested, question.filter);
}

// Adds an action that asks its question over owner, then hands the path on; cancelling does nothing.
QAction* addPathAction(QWidget* owner, QMenu* menu, const QString& text, const PathQuestion& question,
                       std::function<void(const QString&)> act)
{
    return menu->addAction(text, owner, [owner, question, act] {
        const QString path = ask(owner, question);
        if (!path.isEmpty())
            act(path);
    });
}

}  // namespace

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    const QString workspaces = tr("Workspaces (*.json)");
    QAction* open = addPathAction(
        this, file, tr("&Open Model…"),
        {PathQuestion::Open, tr("Open"), QString(),
         tr("Models, grids and workspaces (*.safetensors *.pt *.pth *.ckpt *.png *.json);;Models (*.safetensors *.json);;"
            "Checkpoints of the DDSM paper's code (*.pt *.pth *.ckpt);;Grid PNGs with settings (*.png);;Workspaces (*.json)")},
        [this](const QString& path) { openFile(path); });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    addPathAction(this, file, tr("Open &Workspace…"), {PathQuestion::Open, tr("Open Workspace"), QString(), workspaces},
                  [this](const QString& path) { openWorkspace(path); });
    const PathQuestion saveWorkspaceQuestion{PathQuestion::Save, tr("Save Workspace"),
                                             QStringLiteral("workspace.ddsm.json"), workspaces};
    QAction* save = file->addAction(tr("&Save Workspace"), this, [this, saveWorkspaceQuestion] {
        // Saves where the workspace came from; asks only the first time.
        QString path = workspacePath_;
        if (path.isEmpty())
            path = ask(this, saveWorkspaceQuestion);
        if (!path.isEmpty())
            saveWorkspace(path);
    });
    save->setShortcut(QKeySequence::Save);
    addPathAction(this, file, tr("Save Workspace &As…"), saveWorkspaceQuestion,
                  [this](const QString& path) { saveWorkspace(path); });
    file->addSeparator();
    addPathAction(this, file, tr("&Import Schedule…"),
                  {PathQuestion::Open, tr("Import Schedule"), QString(), tr("Schedules (*.json *.txt);;All files (*)")},
                  [this](const QString& path) { importSchedule(path); });
    addPathAction(this, file, tr("&Export Schedule…"),
                  {PathQuestion::Save, tr("Export Schedule"), QStringLiteral("schedule.json"),
                   tr("Schedule JSON (*.json);;DDSM search.txt (*.txt)")},
                  [this](const QString& path) { exportSchedule(path); });
    addPathAction(this, file, tr("Export &Grid PNG…"),
                  {PathQuestion::Save, tr("Export Grid PNG"), QStringLiteral("grid.png"), tr("PNG (*.png)")},
                  [this](const QString& path) { exportGridPng(path); });
    addPathAction(this, file, tr("Export &Animation…"),
                  {PathQuestion::Save, tr("Export Animation"), QStringLiteral("denoising.mp4"),
                   tr("MP4 video (*.mp4);;Folder of PNG frames (*)")},
                  [this](const QString& path) { exportAnimation(path); });
    addPathAction(this, file, tr("Load &Quality Predictor…"),
                  {PathQuestion::Open, tr("Load Quality Predictor"), QString(), tr("Distance predictors (*.json)")},
                  [this](const QString& path) { loadQualityPredictor(path); });
    addPathAction(this, file, tr("Load Step &Importance Profile…"),
                  {PathQuestion::Open, tr("Load Step Importance Profile"), QString(),
                   tr("Step importance (ddsm importance) (*.csv)")},
                  [this](const QString& path) { loadImportanceProfile(path); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcuts(QKeySequence::Undo);
    QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    // Both common redo keys work everywhere (Ctrl+Shift+Z and Ctrl+Y).
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    for (const QKeySequence& key : {QKeySequence(Qt::CTRL | Qt::Key_Y), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)})
        if (!redoKeys.contains(key))
            redoKeys << key;
    redo->setShortcuts(redoKeys);
    edit->addAction(undo);
    edit->addAction(redo);

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        viewMenu_->addAction(dock->toggleViewAction());
    viewMenu_->addSeparator();
    viewMenu_->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* rerun = run->addAction(tr("Run &Denoising Again"));
    rerun->setShortcut(QKeySequence(Qt::Key_F5));
    connect(rerun, &QAction::triggered, this, &MainWindow::restartDenoising);
    connect(run->addAction(tr("Run &Comparison")), &QAction::triggered, this, [this] {
        views_->setCurrentIndex(1);
        comparePanel_->run();
    });
    connect(run->addAction(tr("&Measure Latency per Width")), &QAction::triggered, modelPanel_,
            &ModelPanel::measureLatencyRequested);
    run->addSeparator();
    backgroundQualityAction_ = run->addAction(tr("Measure &FID in the Background"));
    backgroundQualityAction_->setCheckable(true);
    backgroundQualityAction_->setToolTip(tr("After every edit, measure the current schedule's FID and KID, "
                                            "tightening as samples accumulate"));
    connect(backgroundQualityAction_, &QAction::toggled, this, [this](bool on) {
        if (on != quality_->backgroundEnabled())
            quality_->setBackground(on);
    });
    run->addAction(tr("Measure FID &Now"), this, &MainWindow::startQualityRun);
    buildHelpMenu();
    refreshRecentMenu();
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

}  // namespace ddsm::ui
