// The app's workspace file (workspaceFromJson: the document, its sampler
// settings and the schedule it embeds). An accepted workspace is written back
// and must read back the same.
#include "base/error.h"
#include "workspace_json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    ddsm::ui::Workspace workspace;
    try {
        workspace = ddsm::ui::workspaceFromJson(text, "fuzz.ddsm-workspace.json");
    } catch (const ddsm::Error&) {
        return 0;
    }
    std::string written;
    try {
        written = ddsm::ui::workspaceToJson(workspace);
    } catch (const ddsm::Error&) {
        return 0;  // a schedule the writer refuses (reported with its reason)
    }
    const ddsm::ui::Workspace back = ddsm::ui::workspaceFromJson(written, "written");
    if (back.modelPath != workspace.modelPath || back.sampler != workspace.sampler || back.showX0 != workspace.showX0
        || back.layout != workspace.layout || back.schedule.has_value() != workspace.schedule.has_value())
        std::abort();
    return 0;
}
