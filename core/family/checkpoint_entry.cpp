#include "family/checkpoint_entry.h"

#include "base/error.h"
#include "base/input_file.h"
#include "family/import_script.h"
#include "family/process.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ddsm {

namespace {

namespace fs = std::filesystem;

// A private directory for the converter's output, removed on scope exit.
class ScratchDirectory {
public:
    ScratchDirectory()
    {
        std::string pattern = (fs::temp_directory_path() / "ddsm-import-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw Error("cannot create a temporary directory in " + fs::temp_directory_path().string());
        path_ = pattern;
    }
    ~ScratchDirectory()
    {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

}  // namespace

std::string checkpointPython()
{
    const char* configured = std::getenv("DDSM_PYTHON");
    return configured && *configured ? configured : "/usr/bin/python3";
}

bool checkpointPythonHasTorch(std::string* reason)
{
    const std::string python = checkpointPython();
    const ProcessResult result = runProcess({python, "-c", "import torch"});
    if (result.exitCode == 0)
        return true;
    if (reason) {
        const std::string output = trimmed(result.output);
        *reason = python + " cannot import torch (install python3-torch): " +
                  output.substr(output.find_last_of('\n') + 1);
    }
    return false;
}

CheckpointEntry readCheckpointEntry(const std::string& checkpointPath, const std::string& entry)
{
    rejectFolder(checkpointPath);
    if (!fs::is_regular_file(checkpointPath))
        throw Error(checkpointPath + ": no such file");
    ScratchDirectory scratch;
    const std::string out = (scratch.path() / "entry.safetensors").string();
    const ProcessResult result =
        runProcess({checkpointPython(), "-c", kCheckpointConverterScript, checkpointPath, out, "--entry", entry});
    if (result.exitCode != 0) {
        std::string message = trimmed(result.output);
        if (result.exitCode == 4 || result.exitCode == -1)
            message += " (the checkpoint reader needs " + checkpointPython() + " with numpy, or set DDSM_PYTHON)";
        throw Error(message.empty() ? checkpointPath + ": the checkpoint converter failed" : message);
    }
    SafetensorsFile file = loadSafetensors(out);
    CheckpointEntry loaded;
    loaded.tensors = std::move(file.tensors);
    loaded.metadata = std::move(file.metadata);
    loaded.metadata.erase("format");
    loaded.notes = trimmed(result.output);
    return loaded;
}

}  // namespace ddsm
