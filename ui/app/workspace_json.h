#pragma once
// The workspace document and its JSON, without files or widgets (QtCore for
// QString and QByteArray only), so that the parser can be tested and fuzzed
// on its own:
//   {"format": "ddsm-workspace", "version": 1, "model": "/path/model.safetensors",
//    "schedule": <schedule JSON>, "sampler": {"kind", "steps", "eta", "seed", "count"},
//    "show_x0": false, "layout": "<base64 of QMainWindow::saveState>"}
// Every field but "format" may be absent (its default is kept).
#include "sampler_choice.h"
#include "schedule/schedule_document.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <string>

namespace ddsm::ui {

inline constexpr const char* kWorkspaceFormat = "ddsm-workspace";
inline constexpr int kWorkspaceVersion = 1;

struct Workspace {
    QString modelPath;
    std::optional<ScheduleDocument> schedule;
    SamplerChoice sampler;
    bool showX0 = false;
    QByteArray layout;  // QMainWindow::saveState
};

std::string workspaceToJson(const Workspace& workspace);

// Throws ddsm::Error starting with `where` (the file) and naming the field,
// e.g. `w.json: field "sampler.steps" is 2.5, expected a whole number`.
Workspace workspaceFromJson(const std::string& text, const std::string& where);

}  // namespace ddsm::ui
