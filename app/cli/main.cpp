// `ddsm`: the headless face of DDSM Studio. Every command runs on the same core
// library as the desktop app.
#include "commands.h"

#include "base/error.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

const char* kUsage =
    "usage: ddsm COMMAND [options]   (ddsm COMMAND --help for details)\n"
    "\n"
    "Step-aware diffusion models (DDSM): one slimmable network, a width per denoising step.\n"
    "\n"
    "commands:\n"
    "  info MODEL                      architecture, widths, parameters, MACs per width\n"
    "  flops (MODEL | --config CFG)    MACs/FLOPs per width and per schedule, with a breakdown\n"
    "  sample MODEL                    sample an image grid under a step-aware schedule\n"
    "  schedule convert IN OUT         convert schedules between JSON and search.txt\n"
    "  schedule show FILE              describe a schedule file\n"
    "  import-checkpoint CKPT --out M  a checkpoint of the paper's code -> model file (+ search.txt)\n"
    "  train                           slimmable training with the sandwich rule\n"
    "  compact-checkpoint CKPT --out F a training checkpoint a quarter smaller, to keep\n"
    "  search MODEL --out DIR          NSGA-II search for the best schedule under a cost budget\n"
    "  train-classifier                the Fashion-MNIST feature classifier (default FID features)\n"
    "  stats --data DATA               reference statistics (.npz) of a data set's features\n"
    "  fid MODEL                       FID and KID of a schedule's samples, with intervals\n"
    "  compare MODEL A B ...           FID of schedules on the same noise, paired differences from A\n"
    "  importance MODEL                per-timestep-bin departure of each width (CSV, PNG)\n"
    "  predictor fit|predict           instant distance predictor: calibrate, predict\n"
    "  widen MODEL --config CFG --out M  a wider model whose narrower width is MODEL, to train on\n"
    "  launch --nproc N -- COMMAND     start N local ranks of a data-parallel job (torchrun environment)\n";

}  // namespace

int main(int argc, char** argv)
{
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands{
        {"info", ddsm::cli::runInfo},     {"flops", ddsm::cli::runFlops}, {"sample", ddsm::cli::runSample},
        {"schedule", ddsm::cli::runSchedule}, {"train", ddsm::cli::runTrain},
        {"import-checkpoint", ddsm::cli::runImportCheckpoint},
        {"search", ddsm::cli::runSearch},
        {"compare", ddsm::cli::runCompare},
        {"train-classifier", ddsm::cli::runTrainClassifier}, {"stats", ddsm::cli::runStats},
        {"fid", ddsm::cli::runFid}, {"importance", ddsm::cli::runImportance}, {"predictor", ddsm::cli::runPredictor},
        {"launch", ddsm::cli::runLaunch},     {"widen", ddsm::cli::runWiden},
        {"compact-checkpoint", ddsm::cli::runCompactCheckpoint},
    };
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const auto command = commands.find(argv[1]);
    if (command == commands.end()) {
        std::fprintf(stderr, "ddsm: unknown command \"%s\"\n\n%s", argv[1], kUsage);
        return 2;
    }
    try {
        return command->second(std::vector<std::string>(argv + 2, argv + argc));
    } catch (const ddsm::Error& e) {
        std::fprintf(stderr, "ddsm %s: error: %s\n", argv[1], e.what());
    } catch (const c10::Error& e) {
        std::fprintf(stderr, "ddsm %s: error: %s\n", argv[1], e.what_without_backtrace());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ddsm %s: error: %s\n", argv[1], e.what());
    }
    return 1;
}
