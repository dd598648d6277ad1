#pragma once
// Slimmable training with the sandwich rule (Yu & Huang 2019, as DDSM trains):
// per batch, the full width, the smallest width and random middle widths each
// add their epsilon-prediction loss to the gradients, then one Adam step.
// With in-place distillation the narrower widths learn the EMA full width's
// prediction instead of (or mixed with) the noise (TrainOptions::distill).
// Every random draw of step k comes from (seed, k), and the batch order from a
// BatchSampler, so a resumed run continues exactly where it stopped.
//
// Data parallel: every rank draws the same global batch and takes its
// contiguous share of it (shardRange). Each sample's flip, timesteps and noise
// come from a generator of (seed, step, its position in the global batch), and
// the sandwich widths from one of (seed, step), so N ranks draw exactly what
// one process draws. Each rank weights its loss by its share of the batch and
// the gradients are summed over the ranks before the clip and the Adam step:
// the global batch's mean gradient, as in one process. Dropout masks come from
// (seed, step, rank): with dropout > 0 the ranks' runs are reproducible but not
// equal to one process's.
#include "data/batch_sampler.h"
#include "distributed/process_group.h"
#include "engine/net_config.h"
#include "training/train_options.h"

#include <ATen/core/Tensor.h>
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ddsm {

class SlimmableUNet;
class GaussianDiffusion;

struct TrainStepStats {
    int64_t step = 0;                 // steps completed after this one
    std::vector<double> widths;       // widths trained this step
    std::vector<double> losses;       // their MSE losses
    double gradNorm = 0;              // before clipping
    double learningRate = 0;
};

// The narrower widths' target under in-place distillation (TrainOptions::distill).
at::Tensor distillationTarget(const at::Tensor& noise, const at::Tensor& teacher, double distill);
// Step-aware training: by width index, the timesteps that width trains on
// (TrainOptions::scheduleWidths widened by the margin); undefined for full width
// and for widths the schedule does not use. Throws ddsm::Error naming the t of a
// width the model lacks.
std::vector<at::Tensor> scheduledTimestepsByWidth(const TrainOptions& options, const NetConfig& config);
// Min-SNR weights min(SNR(t), gamma) / SNR(t), SNR(t) = alphaBar_t / (1 - alphaBar_t),
// for timesteps `t` (float64, one per sample); gamma = 0: all ones.
at::Tensor minSnrWeights(const std::vector<double>& alphasCumprod, const at::Tensor& t, double gamma);

class Trainer {
public:
    // `images`: [N, C, H, W] in [-1, 1], matching the config.
    Trainer(NetConfig config, TrainOptions options, at::Tensor images, c10::Device device);
    ~Trainer();

    TrainStepStats step();
    int64_t completedSteps() const { return step_; }
    const TrainOptions& options() const { return options_; }
    const NetConfig& config() const { return config_; }

    // The ranks this trainer shares its batches with (one process by default).
    // Call synchronizeRanks() once every rank has its starting state.
    void joinProcessGroup(std::shared_ptr<ProcessGroup> group);
    ProcessGroup& processGroup() { return *group_; }
    // Every rank takes rank 0's weights, EMA and Adam state; throws ddsm::Error
    // naming the rank whose step or batch position differs (another checkpoint).
    void synchronizeRanks();

    SlimmableUNet& model() { return *model_; }
    SlimmableUNet& ema() { return *ema_; }
    std::shared_ptr<SlimmableUNet> emaShared() { return ema_; }

    // Starts a fresh run (step 0) from trained weights instead of the random
    // initialisation: the model and its EMA take `source`'s parameters, Adam
    // starts from zero. Throws ddsm::Error naming `where` if the architectures
    // differ (nothing changed) or the run has already taken steps.
    void startFromWeights(SlimmableUNet& source, const std::string& where);

    // Whole training state: weights, EMA, Adam moments, step, batch order.
    // `extraMetadata` is stored beside the state (e.g. the data set used).
    void saveCheckpoint(const std::string& path, const std::map<std::string, std::string>& extraMetadata) const;
    // Restores a checkpoint written for the same architecture; throws
    // ddsm::Error (nothing changed) if it is corrupt or does not match.
    void loadCheckpoint(const std::string& path);

private:
    // One step's losses and gradients when TrainOptions::distill > 0.
    // `samples`: one generator per sample of this rank's share; `share`: the
    // share's fraction of the global batch (the weight of its losses).
    void plainStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share, TrainStepStats& stats);
    void distillationStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share,
                          TrainStepStats& stats);
    void scheduledStep(const at::Tensor& x0, std::vector<at::Generator>& samples, double share, TrainStepStats& stats);
    // The loss a step minimises: mean squared error over pixels, each sample
    // weighted by minSnrWeights (TrainOptions::minSnrGamma), averaged over the batch.
    at::Tensor loss(const at::Tensor& prediction, const at::Tensor& target, const at::Tensor& t) const;
    // Sums the gradients and the losses over the ranks.
    void reduceAcrossRanks(TrainStepStats& stats);

    NetConfig config_;
    TrainOptions options_;
    at::Tensor images_;
    c10::Device device_;
    std::shared_ptr<SlimmableUNet> model_, ema_;
    std::unique_ptr<GaussianDiffusion> diffusion_;
    std::vector<at::Tensor> params_, emaParams_, adamM_, adamV_;
    std::vector<std::string> names_;
    BatchSampler sampler_;
    int64_t step_ = 0;
    // Step-aware training: the timesteps each width trains on (by width index;
    // empty for widths the schedule does not use and for full width).
    std::vector<at::Tensor> scheduledTimesteps_;
    std::shared_ptr<ProcessGroup> group_;
};

}  // namespace ddsm
