#include "base/shipped_data.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ddsm {

namespace fs = std::filesystem;

namespace {

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value && *value ? value : "";
}

}  // namespace

std::string executablePath()
{
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? std::string() : self.string();
}

std::string shippedDataDir()
{
    if (std::string configured = environment("DDSM_DATA_DIR"); !configured.empty())
        return configured;
    const fs::path exe = executablePath();
    const fs::path binDir = exe.empty() ? fs::current_path() : exe.parent_path();
    fs::path parent = binDir.parent_path();
    for (int level = 0; level < 3 && !parent.empty(); ++level, parent = parent.parent_path()) {
        const fs::path candidate = parent / kShippedDataSubdir;
        std::error_code error;
        if (fs::is_directory(candidate / "models", error))
            return candidate.string();
        if (parent == parent.root_path())
            break;
    }
    return (binDir.parent_path() / kShippedDataSubdir).string();
}

std::string shippedModelsDir()
{
    if (std::string configured = environment("DDSM_MODELS_DIR"); !configured.empty())
        return configured;
    return shippedDataDir() + "/models";
}

}  // namespace ddsm
