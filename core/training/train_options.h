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
    // How the middle widths are drawn: "distinct" (a random subset, each width
    // at most once: --middle-widths 2 of two middle widths trains both every
    // batch) or "with-replacement" (independent draws, so one width may train
    // twice and another not at all: runs from before the choice existed).
    std::string middleDraw = "distinct";
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

// How one option is named and explained: its key in run files, its `ddsm train`
// flag ("" = no flag of its own), the flag's value name and help, and whether a
// resumed run may change it.
struct TrainOptionInfo {
    const char* key;
    const char* flag;
    const char* value;
    const char* help;
    bool changesOnResume;
};

// Every option, declared once: toJson, trainOptionsFromJson and `ddsm train`'s
// parser, resume rules and help all follow this list. `visit(field, info)`.
template <typename Options, typename Visit>
void forEachTrainOption(Options& o, Visit&& visit)
{
    visit(o.steps, TrainOptionInfo{"steps", "steps", "N", "total optimizer steps", true});
    visit(o.batchSize, TrainOptionInfo{"batch_size", "batch", "N", "batch size (the global batch of all ranks)", false});
    visit(o.learningRate, TrainOptionInfo{"learning_rate", "lr", "X", "Adam learning rate", false});
    visit(o.warmupSteps, TrainOptionInfo{"warmup_steps", "warmup", "N", "linear learning-rate warmup steps", false});
    visit(o.adamBeta1, TrainOptionInfo{"adam_beta1", "", "", "", false});
    visit(o.adamBeta2, TrainOptionInfo{"adam_beta2", "", "", "", false});
    visit(o.adamEpsilon, TrainOptionInfo{"adam_epsilon", "", "", "", false});
    visit(o.gradClip, TrainOptionInfo{"grad_clip", "grad-clip", "X", "gradient-norm clip", false});
    visit(o.emaDecay, TrainOptionInfo{"ema_decay", "ema", "X",
                                      "EMA decay (ramped up over the first steps of a random start, constant "
                                      "from a --init-weights start)",
                                      false});
    visit(o.emaRamp, TrainOptionInfo{"ema_ramp", "", "", "", false});
    visit(o.middleWidths, TrainOptionInfo{"middle_widths", "middle-widths", "N", "random middle widths per batch", true});
    visit(o.middleDraw, TrainOptionInfo{"middle_draw", "middle-draw", "HOW",
                                        "distinct (each middle width at most once per batch) or with-replacement",
                                        true});
    visit(o.distill, TrainOptionInfo{"distill", "distill", "A",
                                     "in-place distillation: narrower widths learn (1 - A) * noise + A * the EMA "
                                     "full width's prediction",
                                     true});
    visit(o.minSnrGamma, TrainOptionInfo{"min_snr_gamma", "min-snr", "G",
                                         "min-SNR loss weighting: each sample's error weighs min(SNR(t), G) / SNR(t) "
                                         "(arXiv 2303.09556, which recommends 5); 0 = off",
                                         true});
    visit(o.scheduleWidths, TrainOptionInfo{"schedule_widths", "", "", "", false});
    visit(o.scheduleMargin, TrainOptionInfo{"schedule_margin", "schedule-margin", "M",
                                            "with --schedule: timesteps by which each width's range is widened on "
                                            "both sides",
                                            false});
    visit(o.scheduleSource, TrainOptionInfo{"schedule_source", "", "", "", false});
    visit(o.horizontalFlip, TrainOptionInfo{"horizontal_flip", "", "", "", false});  // --no-flip
    visit(o.seed, TrainOptionInfo{"seed", "seed", "N", "seed of initialisation, batches and noise", false});
    visit(o.initWeights, TrainOptionInfo{"init_weights", "", "", "", false});
}

nlohmann::json toJson(const TrainOptions& options);
TrainOptions trainOptionsFromJson(const nlohmann::json& json, const std::string& where);

}  // namespace ddsm
