#pragma once
// The one check every reader of outside files makes first: a folder given
// where a file is expected gets "<path> is a folder, not a file", not whatever
// the format's parser would say about a zero-length read.
#include <string>

namespace ddsm {

// Throws ddsm::Error "<path> is a folder, not a file" if `path` is a folder.
// Other problems (missing, unreadable) are left to the reader's own message.
void rejectFolder(const std::string& path);

}  // namespace ddsm
