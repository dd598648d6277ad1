#pragma once
// `ddsm import-checkpoint`: a checkpoint of the paper's training code (a
// torch.save'd dict whose "ema_model" and "net_model" entries are state dicts
// of its SlimmableUNet) becomes a DDSM Studio model file, optionally with the
// paper's search.txt schedule converted alongside.
#include "engine/net_config.h"

#include <optional>
#include <string>
#include <vector>

namespace ddsm {

struct CheckpointImportOptions {
    std::string entry = "ema_model";  // the EMA weights; "net_model" for the raw ones
    std::optional<NetConfig> config;  // architecture to use instead of inferring it from the shapes
    std::optional<int> imageSize;     // overrides the size read from the checkpoint's x_T
    std::string schedulePath;         // DDSM search.txt (or a schedule JSON) to import too; empty: none
    // A schedule width the network lacks is refused (schedule/model_widths.h),
    // unless this is set: then it becomes the nearest width, with a note.
    bool snapScheduleWidths = false;
};

struct CheckpointImportResult {
    std::string modelPath;
    std::string schedulePath;     // empty if no schedule was imported
    NetConfig config;
    bool architectureInferred = true;
    std::string provenanceJson;   // as stored in the model file
    std::vector<std::string> notes;  // things the user should know (assumed settings, unusual widths)
};

// "<dir>/<stem>.schedule.json" for "<dir>/<stem>.safetensors".
std::string importedSchedulePath(const std::string& modelPath);

// Reads the entry (via checkpoint_entry.h), infers or takes the architecture,
// loads the weights, writes the model file atomically and loads it back with
// loadModel to validate it. Every check runs before anything is written; on
// error (ddsm::Error naming the file, entry or tensor) no file is left behind.
CheckpointImportResult importPaperCheckpoint(const std::string& checkpointPath, const std::string& modelPath,
                                             const CheckpointImportOptions& options = {});

}  // namespace ddsm
