// A checkpoint of the paper's training code as a model file (`ddsm
// import-checkpoint`, and the app opening a .pt).
#include "api/api_internal.h"

#include "engine/net_config.h"
#include "family/paper_checkpoint_import.h"

namespace ddsm::api {

ImportResult importCheckpoint(const ImportOptions& options)
{
    CheckpointImportOptions import;
    import.entry = options.netWeights ? "net_model" : "ema_model";
    import.schedulePath = options.schedule;
    import.snapScheduleWidths = options.snapWidths;
    if (!options.config.empty())
        import.config = loadNetConfig(options.config);
    import.imageSize = options.imageSize;
    const auto imported = importPaperCheckpoint(options.checkpoint, options.out, import);
    ImportResult result;
    result.modelPath = imported.modelPath;
    result.schedulePath = imported.schedulePath;
    result.weights = import.entry;
    result.architecture = describe(imported.config);
    result.notes = imported.notes;
    return result;
}

}  // namespace ddsm::api
