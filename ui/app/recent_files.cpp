#include "recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace ddsm::ui {

namespace {
const char* kKey = "recentFiles";
const int kKept = 10;
}  // namespace

QStringList recentFiles()
{
    return QSettings().value(kKey).toStringList();
}

QStringList addRecentFile(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kKept)
        files.removeLast();
    QSettings().setValue(kKey, files);
    return files;
}

void clearRecentFiles()
{
    QSettings().remove(kKey);
}

}  // namespace ddsm::ui
