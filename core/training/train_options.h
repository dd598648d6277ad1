#pragma once
// Every number of slimmable training, with the defaults `ddsm train` documents.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ddsm {

struct TrainOptions {
    int64_t steps = 20000;          // optimizer steps in total
    int batchSize = 64;
    double learningRate = 2e-4;     // Adam, after warmup
    int64_t warmupSteps = 500;      // linear learning-rate warmup
    double adamBeta1 = 0.9;
    double adamBeta2 = 0.999;
    double adamEpsilon = 1e-8;
    double gradClip = 1.0;          // global gradient-norm clip
    double emaDecay = 0.9995;       // EMA of the weights
    // Ramp the EMA decay up over the first steps, so a random start's weights
    // fade quickly. A run from trained weights keeps them from the first step
    // instead (a ramp would average only the restart's first, noisy steps).
    bool emaRamp = true;
    int middleWidths = 1;           // sandwich rule: full + smallest + this many random middle widths
    // In-place distillation: the narrower widths' target is (1 - distill) * noise
    // + distill * the EMA full width's prediction on the same input. The full
    // width's prediction is a low-variance estimate of E[noise | x_t]; the raw
    // noise adds an irreducible variance that narrow widths must average out.
    double distill = 0;
    // Min-SNR loss weighting (Hang et al. 2023, arXiv 2303.09556): each
    // sample's noise-prediction error is weighted by min(SNR(t), gamma) / SNR(t),
    // so the nearly clean timesteps, whose tiny errors dominate the gradient's
    // direction, stop crowding out the others; 0 = off (every t weighs 1).
    double minSnrGamma = 0;
    // Step-aware training: with a schedule (one width per training timestep,
    // t = 0 clean), every narrower width the schedule uses trains only on the
    // timesteps where it runs, widened by `scheduleMargin` timesteps on each
    // side (a soft edge: both neighbours of a boundary learn the steps around
    // it). Full width still trains on every t. Empty: the plain sandwich rule.
    std::vector<double> scheduleWidths;
    int scheduleMargin = 25;
    std::string scheduleSource;     // the schedule file it came from (provenance)
    bool horizontalFlip = true;     // augmentation
    uint64_t seed = 0;
    std::string initWeights;        // "path@sha256" of the model file a run started from; "" = random init

    void validate() const;          // throws ddsm::Error naming the option
};

nlohmann::json toJson(const TrainOptions& options);
TrainOptions trainOptionsFromJson(const nlohmann::json& json, const std::string& where);

}  // namespace ddsm
