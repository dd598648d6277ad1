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

namespace ddsm::ui {

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
            path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), QStringLiteral("workspace.ddsm.json"),
                                                tr("Workspaces (*.json)"));
        if (!path.isEmpty())
            saveWorkspace(path);
    });
    save->setShortcut(QKeySequence::Save);
    file->addAction(tr("Save Workspace &As…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), QStringLiteral("workspace.ddsm.json"),
                                                          tr("Workspaces (*.json)"));
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
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Schedule"), QStringLiteral("schedule.json"),
                                                          tr("Schedule JSON (*.json);;DDSM search.txt (*.txt)"));
        if (!path.isEmpty())
            exportSchedule(path);
    });
    file->addAction(tr("Export &Grid PNG…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Grid PNG"), QStringLiteral("grid.png"),
                                                          tr("PNG (*.png)"));
        if (!path.isEmpty())
            exportGridPng(path);
    });
    file->addAction(tr("Export &Animation…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Animation"), QStringLiteral("denoising.mp4"),
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
