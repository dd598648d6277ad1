// ddsm train: slimmable training, resumable, with progress and checkpoints.
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "base/error.h"
#include "base/sha256.h"
#include "data/dataset_spec.h"
#include "data/image_dataset.h"
#include "distributed/distributed_config.h"
#include "distributed/process_group.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "io/safetensors.h"
#include "schedule/schedule_file.h"
#include "training/trainer.h"
#include "training/training_run.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <type_traits>

namespace ddsm::cli {

namespace {

std::atomic<bool> interrupted{false};

void onInterrupt(int) { interrupted = true; }

const char* kHelp =
    "usage: ddsm train --config CFG --data DATA --out DIR [options]\n"
    "       ddsm train --init-weights MODEL --data DATA --out DIR [options]\n"
    "       ddsm train --out DIR --resume [--steps N] [--distill A] [--middle-widths N] [--min-snr G]\n"
    "\n"
    "Trains a slimmable UNet with the sandwich rule: per batch the full width, the\n"
    "smallest width and random middle widths add their losses, then one Adam step.\n"
    "Ctrl-C saves a checkpoint; --resume continues exactly where it stopped.\n"
    "Data parallel over N ranks (ddsm launch --nproc N -- ddsm train ..., or the\n"
    "torchrun variables below): each rank takes 1/N of every batch (--batch is the\n"
    "global batch) and the gradients are averaged; rank 0 writes every file.\n"
    "\n";

template <typename T>
void readFlag(const Args& args, const char* flag, T& field)
{
    if constexpr (std::is_same_v<T, double>)
        field = args.getDouble(flag, field);
    else if constexpr (std::is_same_v<T, uint64_t>)
        field = args.getSeed(flag, field);
    else if constexpr (std::is_same_v<T, int64_t>)
        field = args.getInt64(flag, field);
    else if constexpr (std::is_same_v<T, int>)
        field = args.getInt(flag, field);
    else
        throw Error(std::string("--") + flag + " has no reader for its type");
}

template <typename T>
std::string valueText(const T& field)
{
    std::ostringstream text;
    if constexpr (std::is_arithmetic_v<T>)
        text << field;
    return text.str();
}

// `text` in lines that end a help row by column 80.
std::string wrapped(const std::string& text)
{
    const size_t width = 80 - kHelpColumn;
    std::istringstream words(text);
    std::string out, line, word;
    while (words >> word) {
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    return out + line;
}

// The training options' rows (TrainOptionInfo, with their defaults) among the
// command's own; those marked * may change on resume.
OptionTable optionTable()
{
    OptionTable table{
        {"config", "CFG", "architecture JSON (configs/fmnist-small.json)"},
        {"init-weights", "MODEL",
         "start from a model file's weights (and its architecture)\n"
         "instead of a random initialisation; Adam starts afresh"},
        {"data", "DATA", "fashion-mnist[:train|:test][:DIR] or a folder of images"},
        {"out", "DIR", "output: checkpoint, loss.csv, samples/, model.safetensors"},
        {"resume", "",
         "continue from DIR/checkpoint.safetensors (its settings;\n"
         "options marked * may change from the resumed step on)"},
    };
    const TrainOptions defaults;
    forEachTrainOption(defaults, [&](const auto& field, const TrainOptionInfo& info) {
        if (!*info.flag)
            return;
        Option option{info.flag, info.value, wrapped(info.help), valueText(field), "", info.changesOnResume};
        // The default ends the last line if it fits by column 80, else takes a line of its own.
        const size_t lastLine = option.help.size() - (option.help.rfind('\n') + 1);
        if (lastLine + 1 + defaultNote(option).size() > 80 - kHelpColumn)
            option.help += "\n";
        table.add(option);
    });
    const TrainingRunSettings run;
    return table +
           OptionTable{
               {"schedule", "S",
                "step-aware training: each narrower width S uses trains\n"
                "only on the timesteps where S runs it (full width on all);\n"
                "S is a schedule file (JSON or search.txt) of the model's\n"
                "widths"},
               {"no-flip", "", "no horizontal-flip augmentation"},
               {"limit", "N", "use only the first N images"},
               {"checkpoint-every", "N", "steps between checkpoints", std::to_string(run.checkpointEvery)},
               {"sample-every", "N", "steps between sample grids, 0 = never", std::to_string(run.sampleEvery)},
           } +
           threadsOption() + distributedOptions();
}

}  // namespace

int runTrain(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, table.help().c_str());
        return 0;
    }
    const DistributedConfig distributed = distributedConfigFromArgs(args);
    const int threads = applyThreads(args);
    const auto out = args.given("out");
    if (!out)
        throw Error("--out DIR is required");
    const std::string checkpoint = *out + "/checkpoint.safetensors";

    NetConfig config;
    TrainOptions options;
    std::string dataSpec;
    LoadedModel initial;  // --init-weights
    if (args.has("resume")) {
        if (args.has("init-weights"))
            throw Error("--init-weights starts a new run; --resume continues the one in " + *out);
        if (!std::filesystem::exists(checkpoint))
            throw Error("--resume: no checkpoint at " + checkpoint);
        const auto meta = readSafetensorsMetadata(checkpoint);
        auto field = [&](const char* key) {
            const auto it = meta.find(key);
            if (it == meta.end())
                throw Error(checkpoint + ": checkpoint metadata has no \"" + key + "\"");
            return nlohmann::json::parse(it->second);
        };
        config = netConfigFromJson(field("architecture"), checkpoint);
        options = trainOptionsFromJson(field("options"), checkpoint);
        dataSpec = args.get("data", meta.count("data_spec") ? meta.at("data_spec") : "fashion-mnist");
        // How the remaining steps spend their effort may change (the checkpoint
        // records it from here on); what defines the run may not.
        std::string changeable;
        forEachTrainOption(options, [&](auto& field, const TrainOptionInfo& info) {
            if (!*info.flag)
                return;
            if (!info.changesOnResume) {
                if (args.has(info.flag))
                    throw Error(std::string("--") + info.flag + " cannot change when a run resumes (it keeps " +
                                checkpoint + "'s settings); see --help for the options marked * that can");
                return;
            }
            const auto before = field;
            readFlag(args, info.flag, field);
            if (field != before && std::string(info.flag) != "steps")
                std::printf("--%s changes from %s to %s at this step\n", info.flag, valueText(before).c_str(),
                            valueText(field).c_str());
        });
        for (const char* fixed : {"config", "no-flip", "schedule"})
            if (args.has(fixed))
                throw Error(std::string("--") + fixed + " cannot change when a run resumes (it keeps " + checkpoint +
                            "'s settings)");
    } else {
        const auto configPath = args.given("config");
        if (!configPath && !args.has("init-weights"))
            throw Error("--config CFG (or --init-weights MODEL) is required for a new run (or --resume)");
        if (std::filesystem::exists(checkpoint))
            throw Error(*out + " already holds a checkpoint: add --resume to continue it, or choose another --out");
        if (const auto weights = args.given("init-weights")) {
            initial = openSlimmableModel(*weights, "--init-weights");
            config = initial.config;
            if (configPath && toJson(loadNetConfig(*configPath)) != toJson(config))
                throw Error("--init-weights " + *weights + ": its architecture differs from --config " + *configPath);
            options.initWeights = *weights + "@" + sha256OfFile(*weights);
            options.emaRamp = false;  // the EMA keeps the trained weights from the first step
        } else {
            config = loadNetConfig(*configPath);
        }
        dataSpec = args.get("data", "fashion-mnist");
        forEachTrainOption(options, [&](auto& field, const TrainOptionInfo& info) {
            if (*info.flag)
                readFlag(args, info.flag, field);
        });
        options.horizontalFlip = !args.has("no-flip");
        if (const auto schedule = args.given("schedule")) {
            options.scheduleWidths = loadSchedule(*schedule, config.diffusion.T).schedule.widths();
            options.scheduleSource = *schedule + "@" + sha256OfFile(*schedule);
        } else if (args.has("schedule-margin")) {
            throw Error("--schedule-margin needs --schedule");
        }
    }
    options.validate();

    // Join the job once the options are known to be valid on this rank.
    const auto group = ProcessGroup::create(distributed);
    const bool main = group->isMain();
    if (distributed.distributed())
        std::printf("%s\n", distributed.describe().c_str());

    ImageFolderOptions folder;
    folder.image_size = config.imageSize;
    folder.channels = config.channels;
    folder.limit = args.getInt("limit", -1);
    const ImageDataset data = loadDataset(dataSpec, folder);
    if (main)
        std::printf("data: %s\nnetwork: %s\nthreads: %d per rank, %d rank%s\n", data.description.c_str(),
                    describe(config).c_str(), threads, group->worldSize(), group->worldSize() > 1 ? "s" : "");

    Trainer trainer(config, options, data.images, c10::Device(c10::kCPU));
    trainer.joinProcessGroup(group);
    if (initial.net) {
        trainer.startFromWeights(*initial.net, initial.path);
        if (main)
            std::printf("starting from the weights of %s\n", initial.path.c_str());
    }
    if (args.has("resume")) {
        trainer.loadCheckpoint(checkpoint);
        if (main)
            std::printf("resumed at step %lld of %lld\n", static_cast<long long>(trainer.completedSteps()),
                        static_cast<long long>(options.steps));
    }

    TrainingRunSettings settings;
    settings.outDir = *out;
    settings.checkpointEvery = args.getInt64("checkpoint-every");
    settings.sampleEvery = args.getInt64("sample-every");
    settings.datasetDescription = data.description;
    settings.dataSpec = dataSpec;

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    runTraining(
        trainer, settings,
        [](const TrainingProgress& p) {
            if (!p.message.empty()) {
                std::printf("\nstep %lld/%lld: %s\n", static_cast<long long>(p.step),
                            static_cast<long long>(p.totalSteps), p.message.c_str());
                return;
            }
            std::printf("step %lld/%lld  %.2f it/s  %.1f samples/s  %.1f GFLOP/s  loss %.4f  ETA %.0f min\n",
                        static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.stepsPerSecond,
                        p.samplesPerSecond, p.achievedGflops, p.recentLoss, p.etaSeconds / 60);
            std::fflush(stdout);
        },
        &interrupted);
    return 0;
}

}  // namespace ddsm::cli
