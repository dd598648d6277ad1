#include "base/input_file.h"

#include "base/error.h"

#include <filesystem>
#include <system_error>

namespace ddsm {

void rejectFolder(const std::string& path)
{
    std::error_code ignored;  // unreadable or missing: the reader says so itself
    if (std::filesystem::is_directory(path, ignored))
        throw Error(path + " is a folder, not a file");
}

}  // namespace ddsm
