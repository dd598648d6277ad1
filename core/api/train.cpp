// Slimmable training (`ddsm train`): a new run from an architecture or a model
// file's weights, or a resumed one, checkpointed and cancellable.
#include "api/api_internal.h"

#include "base/error.h"
#include "base/sha256.h"
#include "data/dataset_spec.h"
#include "data/image_dataset.h"
#include "distributed/process_group.h"
#include "engine/net_config.h"
#include "io/safetensors.h"
#include "schedule/schedule_file.h"
#include "training/train_options.h"
#include "training/checkpoint_compaction.h"
#include "training/trainer.h"
#include "training/training_run.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>

namespace ddsm::api {

TrainRequest::TrainRequest()
{
    const TrainingRunSettings run;
    checkpointEvery = run.checkpointEvery;
    sampleEvery = run.sampleEvery;
}

namespace {

// What a run trains: its architecture, settings and data, from the request or the checkpoint.
struct RunSetup {
    NetConfig config;
    TrainOptions options;
    std::string dataSpec;
    LoadedModel initial;  // a run from a model file's weights
};

RunSetup resumedRun(const TrainRequest& request, const std::string& checkpoint, const Notes& note)
{
    if (!request.initWeights.empty())
        throw Error("--init-weights starts a new run; --resume continues the one in " + request.out);
    if (!std::filesystem::exists(checkpoint))
        throw Error("--resume: no checkpoint at " + checkpoint);
    const auto meta = readSafetensorsMetadata(checkpoint);
    auto field = [&](const char* key) {
        const auto it = meta.find(key);
        if (it == meta.end())
            throw Error(checkpoint + ": checkpoint metadata has no \"" + key + "\"");
        return nlohmann::json::parse(it->second);
    };
    RunSetup run;
    run.config = netConfigFromJson(field("architecture"), checkpoint);
    run.options = trainOptionsFromJson(field("options"), checkpoint);
    run.dataSpec = !request.data.empty()           ? request.data
                   : meta.count("data_spec") != 0 ? meta.at("data_spec")
                                                  : "fashion-mnist";
    applyTrainSettings(run.options, request.settings, checkpoint, note);
    const std::pair<bool, const char*> fixed[] = {{!request.config.empty(), "config"},
                                                  {!request.horizontalFlip, "no-flip"},
                                                  {!request.schedule.empty(), "schedule"}};
    for (const auto& [given, flag] : fixed)
        if (given)
            throw Error(std::string("--") + flag + " cannot change when a run resumes (it keeps " + checkpoint +
                        "'s settings)");
    return run;
}

RunSetup newRun(const TrainRequest& request, const std::string& checkpoint)
{
    if (request.config.empty() && request.initWeights.empty())
        throw Error("--config CFG (or --init-weights MODEL) is required for a new run (or --resume)");
    if (std::filesystem::exists(checkpoint))
        throw Error(request.out +
                    " already holds a checkpoint: add --resume to continue it, or choose another --out");
    RunSetup run;
    if (!request.initWeights.empty()) {
        run.initial = openSlimmableModel(request.initWeights, "--init-weights");
        run.config = run.initial.config;
        if (!request.config.empty() && toJson(loadNetConfig(request.config)) != toJson(run.config))
            throw Error("--init-weights " + request.initWeights + ": its architecture differs from --config " +
                        request.config);
        run.options.initWeights = request.initWeights + "@" + sha256OfFile(request.initWeights);
        run.options.emaRamp = false;  // the EMA keeps the trained weights from the first step
    } else {
        run.config = loadNetConfig(request.config);
    }
    run.dataSpec = !request.data.empty() ? request.data : "fashion-mnist";
    applyTrainSettings(run.options, request.settings, "", {});
    run.options.horizontalFlip = request.horizontalFlip;
    if (!request.schedule.empty()) {
        run.options.scheduleWidths = loadSchedule(request.schedule, run.config.diffusion.T).schedule.widths();
        run.options.scheduleSource = request.schedule + "@" + sha256OfFile(request.schedule);
    } else if (request.settings.count("schedule-margin") != 0) {
        throw Error("--schedule-margin needs --schedule");
    }
    return run;
}

}  // namespace

TrainResult train(const TrainRequest& request)
{
    if (request.out.empty())
        throw Error("--out DIR is required");
    const Reporter<TrainProgress> report(request.progress);
    const Notes note = report.notes();
    const std::string checkpoint = request.out + "/checkpoint.safetensors";
    RunSetup run = request.resume ? resumedRun(request, checkpoint, note) : newRun(request, checkpoint);
    run.options.validate();

    // Join the job once the settings are known to be valid on this rank.
    const auto group = ProcessGroup::create(request.distributed);
    // What the job as a whole reports comes from rank 0.
    const Reporter<TrainProgress> mainReport(request.progress, group->isMain());
    const Notes mainNote = mainReport.notes();
    if (request.distributed.distributed())
        note(request.distributed.describe());

    ImageFolderOptions folder;
    folder.image_size = run.config.imageSize;
    folder.channels = run.config.channels;
    folder.limit = request.limit;
    const ImageDataset data = loadDataset(run.dataSpec, folder);
    TrainProgress started;
    started.stage = TrainProgress::Stage::Started;
    started.data = data.description;
    started.network = describe(run.config);
    started.ranks = group->worldSize();
    mainReport(started);

    Trainer trainer(run.config, run.options, data.images, c10::Device(c10::kCPU));
    trainer.joinProcessGroup(group);
    if (run.initial.net) {
        trainer.startFromWeights(*run.initial.net, run.initial.path);
        mainNote("starting from the weights of " + run.initial.path);
    }
    if (request.resume) {
        trainer.loadCheckpoint(checkpoint);
        mainNote("resumed at step " + std::to_string(trainer.completedSteps()) + " of " +
                 std::to_string(run.options.steps));
    }

    TrainingRunSettings settings;
    settings.outDir = request.out;
    settings.checkpointEvery = request.checkpointEvery;
    settings.sampleEvery = request.sampleEvery;
    settings.datasetDescription = data.description;
    settings.dataSpec = run.dataSpec;
    TrainResult result;
    result.totalSteps = run.options.steps;
    result.completedSteps = runTraining(
        trainer, settings,
        [&](const TrainingProgress& p) {
            TrainProgress out;
            out.stage = p.message.empty() ? TrainProgress::Stage::Step : TrainProgress::Stage::Message;
            out.step = p.step;
            out.totalSteps = p.totalSteps;
            out.stepsPerSecond = p.stepsPerSecond;
            out.samplesPerSecond = p.samplesPerSecond;
            out.gflopsPerSecond = p.achievedGflops;
            out.etaSeconds = p.etaSeconds;
            out.recentLoss = p.recentLoss;
            out.message = p.message;
            report(out);
        },
        request.cancel);
    return result;
}

CompactCheckpointResult compactCheckpoint(const std::string& checkpoint, const std::string& out)
{
    const CompactedCheckpoint made = ddsm::compactCheckpoint(checkpoint, out);
    return {made.step, made.bytesBefore, made.bytesAfter};
}

}  // namespace ddsm::api
