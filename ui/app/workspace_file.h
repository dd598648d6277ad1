#pragma once
// A workspace: everything needed to pick up where the user left off.
//   {"format": "ddsm-workspace", "version": 1, "model": "/path/model.safetensors",
//    "schedule": <schedule JSON>, "sampler": {"kind", "steps", "eta", "seed", "count"},
//    "show_x0": false, "layout": "<base64 of QMainWindow::saveState>"}
// Saved atomically (QSaveFile), so a crash mid-save keeps the old file.
#include "sampling_request.h"
#include "schedule/schedule_document.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace ddsm::ui {

struct Workspace {
    QString modelPath;
    std::optional<ScheduleDocument> schedule;
    SamplerChoice sampler;
    bool showX0 = false;
    QByteArray layout;  // QMainWindow::saveState
};

// Throws ddsm::Error naming the path.
void saveWorkspace(const QString& path, const Workspace& workspace);
Workspace loadWorkspace(const QString& path);
// True for a JSON file whose "format" is "ddsm-workspace".
bool isWorkspaceFile(const QString& path);

}  // namespace ddsm::ui
