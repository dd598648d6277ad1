#pragma once
// Atomic saves: write to a temporary file beside the target, flush it to disk,
// then rename over the target. A crash or a full disk leaves the old file whole.
#include <string>
#include <string_view>

namespace ddsm {

// Replaces `path` with `bytes` atomically. Throws ddsm::Error naming the path.
void writeFileAtomically(const std::string& path, std::string_view bytes);

// Reads a whole file. Throws ddsm::Error naming the path if it cannot be read.
std::string readWholeFile(const std::string& path);

}  // namespace ddsm
