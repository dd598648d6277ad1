#include "workspace_file.h"

#include "base/error.h"
#include "base/input_file.h"
#include "schedule/schedule_json.h"

#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace ddsm::ui {

namespace {
const char* kFormat = "ddsm-workspace";
}  // namespace

void saveWorkspace(const QString& path, const Workspace& w)
{
    nlohmann::json json{{"format", kFormat},
                        {"version", 1},
                        {"model", w.modelPath.toStdString()},
                        {"sampler",
                         {{"kind", w.sampler.kind},
                          {"steps", w.sampler.steps},
                          {"eta", w.sampler.eta},
                          {"seed", w.sampler.seed},
                          {"count", w.sampler.count}}},
                        {"show_x0", w.showX0},
                        {"layout", w.layout.toBase64().toStdString()}};
    if (w.schedule)
        json["schedule"] = nlohmann::json::parse(scheduleToJson(*w.schedule));
    const std::string text = json.dump(2) + "\n";

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) != qint64(text.size())
        || !file.commit())
        throw Error(path.toStdString() + ": cannot save the workspace (" + file.errorString().toStdString() + ")");
}

Workspace loadWorkspace(const QString& path)
{
    const std::string where = path.toStdString();
    rejectFolder(where);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(where + ": cannot read (" + file.errorString().toStdString() + ")");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(file.readAll().toStdString());
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + e.what() + ")");
    }
    if (!json.is_object() || json.value("format", "") != kFormat)
        throw Error(where + ": not a DDSM Studio workspace (\"format\" is not \"ddsm-workspace\")");
    try {
        Workspace w;
        w.modelPath = QString::fromStdString(json.value("model", ""));
        if (json.contains("schedule"))
            w.schedule = scheduleFromJson(json["schedule"].dump(), where + " (schedule)");
        if (json.contains("sampler")) {
            const auto& s = json["sampler"];
            w.sampler.kind = s.value("kind", w.sampler.kind);
            w.sampler.steps = s.value("steps", w.sampler.steps);
            w.sampler.eta = s.value("eta", w.sampler.eta);
            w.sampler.seed = s.value("seed", w.sampler.seed);
            w.sampler.count = s.value("count", w.sampler.count);
        }
        w.showX0 = json.value("show_x0", false);
        w.layout = QByteArray::fromBase64(QByteArray::fromStdString(json.value("layout", "")));
        return w;
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": malformed workspace (" + e.what() + ")");
    }
}

bool isWorkspaceFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(4096);
    return head.trimmed().startsWith('{') && head.contains("\"ddsm-workspace\"");
}

}  // namespace ddsm::ui
