#pragma once
// One exception type for every user-facing failure of the engine: the message
// names the file, field or value at fault, so the CLI and the GUI can show it
// as it is.
#include <stdexcept>
#include <string>

namespace ddsm {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ddsm
