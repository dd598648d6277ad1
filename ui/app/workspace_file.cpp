#include "workspace_file.h"

#include "base/error.h"
#include "base/input_file.h"

#include <QFile>
#include <QSaveFile>

namespace ddsm::ui {

void saveWorkspace(const QString& path, const Workspace& w)
{
    const std::string text = workspaceToJson(w);
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
    return workspaceFromJson(file.readAll().toStdString(), where);
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
