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
    if (middleDraw != "distinct" && middleDraw != "with-replacement")
        throw Error("training option --middle-draw is \"" + middleDraw + "\", expected distinct or with-replacement");
    require(distill >= 0 && distill <= 1, "--distill must be in [0, 1]");
    require(minSnrGamma >= 0, "--min-snr must not be negative (0 = off)");
    require(scheduleMargin >= 0, "--schedule-margin must not be negative");
}

nlohmann::json toJson(const TrainOptions& o)
{
    nlohmann::json j = nlohmann::json::object();
    forEachTrainOption(o, [&](const auto& field, const TrainOptionInfo& info) { j[info.key] = field; });
    return j;
}

TrainOptions trainOptionsFromJson(const nlohmann::json& j, const std::string& where)
{
    const JsonFields in(where + ": training options");
    if (!j.is_object())
        in.fail("expected a JSON object, found " + describeJson(j));
    // A field absent from an older checkpoint keeps its default (ramped EMA, no
    // distillation, min-SNR off, no schedule).
    TrainOptions o;
    forEachTrainOption(o, [&](auto& field, const TrainOptionInfo& info) { field = in.getOr(j, "", info.key, field); });
    // Runs from before the draw could be chosen drew their middle widths independently.
    if (!j.contains("middle_draw"))
        o.middleDraw = "with-replacement";
    try {
        o.validate();
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    return o;
}

}  // namespace ddsm
