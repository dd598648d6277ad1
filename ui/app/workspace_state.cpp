#include "workspace_state.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include <exception>

namespace ddsm::ui {

WorkspaceState::WorkspaceState(Snapshot snapshot, QObject* parent) : QObject(parent), snapshot_(std::move(snapshot))
{
    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setSingleShot(true);
    autosaveTimer_->setInterval(kAutosaveDelayMs);
    connect(autosaveTimer_, &QTimer::timeout, this, &WorkspaceState::writeAutosave);
}

QString WorkspaceState::autosavePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/autosave.ddsm-workspace.json");
}

void WorkspaceState::markEdited()
{
    setDirty(true);
    // Not restarted by later edits: a long drag is still saved within the delay.
    if (!autosaveTimer_->isActive())
        autosaveTimer_->start();
}

void WorkspaceState::markSaved()
{
    autosaveTimer_->stop();
    discardRecovery();
    setDirty(false);
}

void WorkspaceState::markUnsaved() { setDirty(true); }

bool WorkspaceState::autosavePending() const { return autosaveTimer_->isActive(); }

void WorkspaceState::writeAutosave()
{
    autosaveTimer_->stop();
    if (!dirty_)
        return;
    const auto workspace = snapshot_();
    if (!workspace)
        return;
    QDir().mkpath(QFileInfo(autosavePath()).absolutePath());
    try {
        saveWorkspace(autosavePath(), *workspace);
    } catch (const std::exception&) {
        // Autosave is a safety net: a failure here must not interrupt the user.
    }
}

bool WorkspaceState::hasRecovery() const { return QFileInfo::exists(autosavePath()); }
QDateTime WorkspaceState::recoveryTime() const { return QFileInfo(autosavePath()).lastModified(); }
void WorkspaceState::discardRecovery() { QFile::remove(autosavePath()); }

void WorkspaceState::setDirty(bool dirty)
{
    if (dirty_ == dirty)
        return;
    dirty_ = dirty;
    emit dirtyChanged(dirty_);
}

}  // namespace ddsm::ui
