#pragma once
// A workspace file: everything needed to pick up where the user left off (the
// document itself: workspace_json.h). Saved atomically (QSaveFile), so a crash
// mid-save keeps the old file.
#include "workspace_json.h"

#include <QString>

namespace ddsm::ui {

// Throws ddsm::Error naming the path.
void saveWorkspace(const QString& path, const Workspace& workspace);
Workspace loadWorkspace(const QString& path);
// True for a JSON file whose "format" is "ddsm-workspace".
bool isWorkspaceFile(const QString& path);

}  // namespace ddsm::ui
