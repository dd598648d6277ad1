// Distance-predictor calibrations (NAME-predictor-TAG.json) as the app and
// `ddsm predictor predict` read them: parsed, turned into a predictor (which
// checks the calibration's consistency), asked for a prediction and written
// back; its sampler tag read back. ddsm::Error is the expected refusal; anything else is a bug.
// The same bytes as a fit's progress file (OUT.partial), whose reader refuses nothing: damage is a cache miss.
#include "base/error.h"
#include "base/sampler_tag.h"
#include "evaluation/calibration_progress.h"
#include "evaluation/predictor_file.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    ddsm::calibrationProgressFromJson(text, R"({"model": "fuzz", "T": 1000})");
    try {
        const auto calibration = ddsm::predictorFromJson(text, "fuzz-predictor.json");
        ddsm::predictorToJson(calibration);  // whatever reads must also write
        // The sampler the file names: a tag read back must write itself again.
        if (const auto parts = ddsm::parseSamplerTag(calibration.samplerTag))
            if (ddsm::samplerTag(parts->kind, parts->steps, parts->eta, parts->variance, parts->clipX0) !=
                calibration.samplerTag)
                __builtin_trap();
        const ddsm::DistancePredictor predictor(calibration);
        // A schedule on the training axis: the widths the calibration names, in turn.
        // (T is the file's; a schedule of T widths is the caller's allocation, so keep it small.)
        if (calibration.T > 0 && calibration.T <= 100000 && !calibration.widths.empty()) {
            std::vector<double> widths(size_t(calibration.T));
            for (size_t t = 0; t < widths.size(); ++t)
                widths[t] = calibration.widths[t % calibration.widths.size()];
            predictor.predict(widths);
            predictor.shares(widths);
        }
    } catch (const ddsm::Error&) {
    }
    return 0;
}
