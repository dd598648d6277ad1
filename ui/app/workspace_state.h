#pragma once
// Whether the user's work is saved, and the safety net when it is not: an
// autosave written within ~2 s of the first unsaved edit (not on every mouse
// move of a drag), removed again on a save or a clean exit, and offered back
// after a crash. The window supplies the workspace to write.
#include "workspace_file.h"

#include <QDateTime>
#include <QObject>

#include <functional>

class QTimer;

namespace ddsm::ui {

class WorkspaceState : public QObject {
    Q_OBJECT
public:
    // `snapshot` returns the workspace to autosave, or nothing when there is
    // nothing worth keeping (no model).
    using Snapshot = std::function<std::optional<Workspace>()>;
    explicit WorkspaceState(Snapshot snapshot, QObject* parent = nullptr);

    static QString autosavePath();
    static constexpr int kAutosaveDelayMs = 1500;

    bool isDirty() const { return dirty_; }
    // An edit: dirty, and an autosave follows shortly.
    void markEdited();
    // Saved to a file (or deliberately discarded): clean, and no autosave is left.
    void markSaved();
    // Dirty without an edit (recovered work is unsaved until saved).
    void markUnsaved();
    // Writes the autosave now if there are unsaved edits.
    void writeAutosave();
    bool autosavePending() const;

    bool hasRecovery() const;
    QDateTime recoveryTime() const;
    void discardRecovery();

signals:
    void dirtyChanged(bool dirty);

private:
    void setDirty(bool dirty);

    Snapshot snapshot_;
    QTimer* autosaveTimer_;
    bool dirty_ = false;
};

}  // namespace ddsm::ui
