#include "family/paper_checkpoint_import.h"

#include "base/error.h"
#include "base/sha256.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "family/checkpoint_entry.h"
#include "family/paper_architecture.h"
#include "family/paper_state_dict.h"
#include "schedule/model_widths.h"
#include "schedule/schedule_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace ddsm {

namespace {

namespace fs = std::filesystem;

// The image size: given, else the side of the checkpoint's x_T sample noise.
int resolveImageSize(const CheckpointEntry& entry, const CheckpointImportOptions& options, const std::string& where,
                     std::string* source)
{
    if (options.imageSize) {
        *source = "given";
        return *options.imageSize;
    }
    const auto shape = entry.metadata.find("x_T_shape");
    if (shape != entry.metadata.end()) {
        const auto dims = nlohmann::json::parse(shape->second).get<std::vector<int64_t>>();
        if (dims.size() == 4 && dims[2] == dims[3]) {
            *source = "the checkpoint's x_T";
            return int(dims[3]);
        }
    }
    // Check the layout first, so a file that is no SlimmableUNet at all says so.
    inferPaperArchitecture(shapesOf(entry.tensors), 1 << 12, where);
    throw Error(where + ": the image size is not in the weights and the checkpoint has no square x_T; give it "
                        "(--image-size N) or give the whole architecture (--config CFG)");
}

std::string joinWidths(const std::vector<double>& widths)
{
    std::string out;
    for (double w : widths) {
        std::ostringstream text;
        text << w;
        out += (out.empty() ? "" : ", ") + text.str();
    }
    return out;
}

}  // namespace

std::string importedSchedulePath(const std::string& modelPath)
{
    fs::path path(modelPath);
    return (path.parent_path() / (path.stem().string() + ".schedule.json")).string();
}

CheckpointImportResult importPaperCheckpoint(const std::string& checkpointPath, const std::string& modelPath,
                                             const CheckpointImportOptions& options)
{
    if (options.entry != "ema_model" && options.entry != "net_model")
        throw Error("checkpoint entry must be \"ema_model\" or \"net_model\", got \"" + options.entry + "\"");
    const std::string where = checkpointPath + " [" + options.entry + "]";
    CheckpointImportResult result;
    result.modelPath = modelPath;

    CheckpointEntry entry = readCheckpointEntry(checkpointPath, options.entry);
    if (!entry.notes.empty())
        result.notes.push_back(entry.notes);

    std::string imageSizeSource = "the given config";
    if (options.config) {
        result.config = *options.config;
        result.architectureInferred = false;
    } else {
        const int imageSize = resolveImageSize(entry, options, where, &imageSizeSource);
        result.config = inferPaperArchitecture(shapesOf(entry.tensors), imageSize, where);
        result.notes.push_back("architecture inferred from the tensor shapes: " + describe(result.config));
        result.notes.push_back("image size " + std::to_string(imageSize) + " from " + imageSizeSource +
                               "; assumed the paper's settings: GroupNorm 32, dropout 0.1, linear betas 1e-4..0.02, "
                               "epsilon prediction");
        result.notes.push_back("widths " + joinWidths(result.config.widths) +
                               ": those of {1, 0.75, 0.5, 0.25} the paper's code can run on this network");
    }
    auto net = loadPaperStateDict(entry.tensors, result.config, where);

    // Read the schedule before writing anything, so a bad one leaves no model behind.
    std::optional<ScheduleDocument> schedule;
    if (!options.schedulePath.empty()) {
        schedule = loadSchedule(options.schedulePath, result.config.diffusion.T);
        if (options.snapScheduleWidths) {
            SnappedSchedule snapped = snapToModelWidths(schedule->schedule, result.config.widths);
            if (!snapped.snapped.empty())
                result.notes.push_back(options.schedulePath + ": " + snapped.note());
            schedule->schedule = std::move(snapped.schedule);
        } else {
            requireModelWidths(schedule->schedule, result.config.widths, options.schedulePath);
        }
    }

    nlohmann::json provenance{{"created_by", "ddsm import-checkpoint"},
                              {"source", fs::path(checkpointPath).filename().string()},
                              {"source_sha256", sha256OfFile(checkpointPath)},
                              {"entry", options.entry},
                              {"architecture", result.architectureInferred ? "inferred from the tensor shapes" : "given"},
                              {"image_size_from", imageSizeSource},
                              {"checkpoint_reader", entry.metadata["reader"]}};
    if (entry.metadata.count("step"))
        provenance["step"] = std::stoll(entry.metadata.at("step"));
    result.provenanceJson = provenance.dump();

    saveModel(modelPath, *net, result.provenanceJson);
    try {
        const LoadedModel check = loadModel(modelPath);
        if (toJson(check.config) != toJson(result.config))
            throw Error(modelPath + ": the written model reads back with a different architecture");
    } catch (...) {
        std::error_code ignored;
        fs::remove(modelPath, ignored);
        throw;
    }

    if (schedule) {
        if (schedule->name.empty())
            schedule->name = fs::path(options.schedulePath).filename().string();
        schedule->model = ModelIdentity{fs::path(modelPath).filename().string(), sha256OfFile(modelPath)};
        result.schedulePath = importedSchedulePath(modelPath);
        saveSchedule(result.schedulePath, *schedule);
    }
    return result;
}

}  // namespace ddsm
