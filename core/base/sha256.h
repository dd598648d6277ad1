#pragma once
// SHA-256 of a byte string or a file: the identity of a model in schedule files
// and reports (matches `sha256sum`).
#include <string>
#include <string_view>

namespace ddsm {

std::string sha256Hex(std::string_view bytes);
std::string sha256OfFile(const std::string& path);  // throws ddsm::Error if unreadable

}  // namespace ddsm
