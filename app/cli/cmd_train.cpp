// ddsm train: slimmable training (api::train), resumable, with progress and checkpoints.
#include "commands.h"
#include "common.h"
#include "distributed_options.h"

#include "base/error.h"

#include <cstdio>
#include <sstream>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm train --config CFG --data DATA --out DIR [options]\n"
    "       ddsm train --init-weights MODEL --data DATA --out DIR [options]\n"
    "       ddsm train --out DIR --resume [--steps N] [--distill A] [--middle-widths N] [--middle-draw HOW] [--min-snr G]\n"
    "\n"
    "Trains a slimmable UNet with the sandwich rule: per batch the full width, the\n"
    "smallest width and random middle widths add their losses, then one Adam step.\n"
    "Ctrl-C saves a checkpoint; --resume continues exactly where it stopped.\n"
    "Data parallel over N ranks (ddsm launch --nproc N -- ddsm train ..., or the\n"
    "torchrun variables below): each rank takes 1/N of every batch (--batch is the\n"
    "global batch) and the gradients are averaged; rank 0 writes every file.\n"
    "\n";

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

// The training settings' rows (api::trainSettings, with their defaults) among
// the command's own; those marked * may change on resume.
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
    for (const api::TrainSetting& setting : api::trainSettings()) {
        Option option{setting.flag, setting.value, wrapped(setting.help), setting.defaultValue, "",
                      setting.changesOnResume};
        // The default ends the last line if it fits by column 80, else takes a line of its own.
        const size_t lastLine = option.help.size() - (option.help.rfind('\n') + 1);
        if (lastLine + 1 + defaultNote(option).size() > 80 - kHelpColumn)
            option.help += "\n";
        table.add(option);
    }
    const api::TrainRequest run;
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

// The settings given, as text: the API reads each as its type (naming a
// malformed value as every option's reader does).
std::map<std::string, std::string> givenSettings(const Args& args)
{
    std::map<std::string, std::string> given;
    for (const api::TrainSetting& setting : api::trainSettings())
        if (const auto value = args.given(setting.flag))
            given[setting.flag] = *value;
    return given;
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
    api::TrainRequest request;
    request.distributed = distributedConfigFromArgs(args);
    const int threads = applyThreads(args);
    request.out = args.get("out", "");  // the API names it when missing
    request.resume = args.has("resume");
    request.config = args.get("config", "");
    request.initWeights = args.get("init-weights", "");
    request.data = args.get("data", "");
    request.settings = givenSettings(args);
    request.horizontalFlip = !args.has("no-flip");
    request.schedule = args.get("schedule", "");
    request.limit = args.getInt("limit", -1);
    request.checkpointEvery = args.getInt64("checkpoint-every");
    request.sampleEvery = args.getInt64("sample-every");
    request.progress = [threads](const api::TrainProgress& p) {
        switch (p.stage) {
        case api::TrainProgress::Stage::Note:
            std::printf("%s\n", p.note.c_str());
            break;
        case api::TrainProgress::Stage::Started:
            std::printf("data: %s\nnetwork: %s\nthreads: %d per rank, %d rank%s\n", p.data.c_str(), p.network.c_str(),
                        threads, p.ranks, p.ranks > 1 ? "s" : "");
            break;
        case api::TrainProgress::Stage::Message:
            std::printf("\nstep %lld/%lld: %s\n", static_cast<long long>(p.step), static_cast<long long>(p.totalSteps),
                        p.message.c_str());
            break;
        case api::TrainProgress::Stage::Step:
            std::printf("step %lld/%lld  %.2f it/s  %.1f samples/s  %.1f GFLOP/s  loss %.4f  ETA %.0f min\n",
                        static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.stepsPerSecond,
                        p.samplesPerSecond, p.gflopsPerSecond, p.recentLoss, p.etaSeconds / 60);
            std::fflush(stdout);
            break;
        }
    };
    request.cancel = cancelOnInterrupt();
    api::train(request);
    return 0;
}

}  // namespace ddsm::cli
