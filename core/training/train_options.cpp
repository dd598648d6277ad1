#include "training/train_options.h"

#include "base/error.h"
#include "base/json_fields.h"

#include <nlohmann/json.hpp>

namespace ddsm {

void TrainOptions::validate() const
{
    auto require = [](bool ok, const char* message) {
        if (!ok)
            throw Error(std::string("training option ") + message);
    };
    require(steps >= 1, "--steps must be at least 1");
    require(batchSize >= 1, "--batch must be at least 1");
    require(learningRate > 0, "--lr must be positive");
    require(warmupSteps >= 0, "--warmup must not be negative");
    require(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1, "Adam betas must be in [0, 1)");
    require(adamEpsilon > 0, "Adam epsilon must be positive");
    require(gradClip > 0, "--grad-clip must be positive");
    require(emaDecay >= 0 && emaDecay < 1, "--ema must be in [0, 1)");
    require(middleWidths >= 0, "--middle-widths must not be negative");
    require(distill >= 0 && distill <= 1, "--distill must be in [0, 1]");
    require(minSnrGamma >= 0, "--min-snr must not be negative (0 = off)");
    require(scheduleMargin >= 0, "--schedule-margin must not be negative");
}

nlohmann::json toJson(const TrainOptions& o)
{
    return nlohmann::json{{"steps", o.steps},           {"batch_size", o.batchSize},     {"learning_rate", o.learningRate},
                          {"warmup_steps", o.warmupSteps}, {"adam_beta1", o.adamBeta1},   {"adam_beta2", o.adamBeta2},
                          {"adam_epsilon", o.adamEpsilon}, {"grad_clip", o.gradClip},     {"ema_decay", o.emaDecay},
                          {"middle_widths", o.middleWidths}, {"horizontal_flip", o.horizontalFlip}, {"seed", o.seed},
                          {"init_weights", o.initWeights}, {"ema_ramp", o.emaRamp},
                          {"distill", o.distill},               {"min_snr_gamma", o.minSnrGamma},
                          {"schedule_widths", o.scheduleWidths}, {"schedule_margin", o.scheduleMargin},
                          {"schedule_source", o.scheduleSource}};
}

TrainOptions trainOptionsFromJson(const nlohmann::json& j, const std::string& where)
{
    const JsonFields in(where + ": training options");
    if (!j.is_object())
        in.fail("expected a JSON object, found " + describeJson(j));
    TrainOptions o;
    o.steps = in.getOr(j, "", "steps", o.steps);
    o.batchSize = in.getOr(j, "", "batch_size", o.batchSize);
    o.learningRate = in.getOr(j, "", "learning_rate", o.learningRate);
    o.warmupSteps = in.getOr(j, "", "warmup_steps", o.warmupSteps);
    o.adamBeta1 = in.getOr(j, "", "adam_beta1", o.adamBeta1);
    o.adamBeta2 = in.getOr(j, "", "adam_beta2", o.adamBeta2);
    o.adamEpsilon = in.getOr(j, "", "adam_epsilon", o.adamEpsilon);
    o.gradClip = in.getOr(j, "", "grad_clip", o.gradClip);
    o.emaDecay = in.getOr(j, "", "ema_decay", o.emaDecay);
    o.middleWidths = in.getOr(j, "", "middle_widths", o.middleWidths);
    o.horizontalFlip = in.getOr(j, "", "horizontal_flip", o.horizontalFlip);
    o.emaRamp = in.getOr(j, "", "ema_ramp", o.emaRamp);      // absent in older checkpoints: ramped
    o.initWeights = in.getOr(j, "", "init_weights", o.initWeights);
    o.distill = in.getOr(j, "", "distill", o.distill);       // absent in older checkpoints: none
    o.minSnrGamma = in.getOr(j, "", "min_snr_gamma", o.minSnrGamma);  // absent in older checkpoints: off
    o.seed = in.getOr(j, "", "seed", o.seed);
    // Absent in older checkpoints: no schedule.
    o.scheduleWidths = in.getOr(j, "", "schedule_widths", o.scheduleWidths);
    o.scheduleMargin = in.getOr(j, "", "schedule_margin", o.scheduleMargin);
    o.scheduleSource = in.getOr(j, "", "schedule_source", o.scheduleSource);
    try {
        o.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return o;
}

}  // namespace ddsm
