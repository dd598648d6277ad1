#pragma once
// The training loop around a Trainer: progress, a CSV log of the loss per
// width, sample grids per width, atomic checkpoints every N steps and when
// cancelled, and the EMA model exported at the end.
//
// Output folder:
//   checkpoint.safetensors   latest full training state (resume from it)
//   loss.csv                 step, seconds, learning rate, grad norm, loss per width
//   samples/step-NNNNNNN-w<width>.png   DDIM sample grids of the EMA model
//   model.safetensors        the EMA weights as a model file
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace ddsm {

class Trainer;

struct TrainingRunSettings {
    std::string outDir;
    int64_t checkpointEvery = 500;
    int64_t sampleEvery = 2000;  // 0: never
    int sampleCount = 16;
    int sampleSteps = 50;
    int64_t progressEvery = 10;
    std::string datasetDescription;
    std::string dataSpec;  // how to load the data again on --resume
};

struct TrainingProgress {
    int64_t step = 0, totalSteps = 0;
    double stepsPerSecond = 0, samplesPerSecond = 0, etaSeconds = 0;
    double recentLoss = 0;       // mean full-width loss over the last progress interval
    double achievedGflops = 0;   // forward + backward (3 x forward) FLOP/s of the sandwich
    std::string message;         // e.g. "checkpoint saved"
};

using TrainingProgressCallback = std::function<void(const TrainingProgress&)>;

// Runs until the options' step count or until `cancel` is set; either way the
// state is checkpointed. Returns the number of steps completed in total.
int64_t runTraining(Trainer& trainer, const TrainingRunSettings& settings, const TrainingProgressCallback& progress,
                    const std::atomic<bool>* cancel);

}  // namespace ddsm
