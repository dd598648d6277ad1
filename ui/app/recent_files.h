#pragma once
// The most recently opened files, newest first, kept in QSettings.
#include <QStringList>

namespace ddsm::ui {

QStringList recentFiles();
// Moves `path` to the front (at most 10 kept) and returns the new list.
QStringList addRecentFile(const QString& path);
void clearRecentFiles();

}  // namespace ddsm::ui
