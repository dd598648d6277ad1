#pragma once
// Turning --schedule / --width / sampler options into what the sampler runs.
#include "args.h"

#include "engine/sampler.h"
#include "schedule/schedule_document.h"

#include <string>
#include <vector>

namespace ddsm::cli {

struct ScheduleChoice {
    ScheduleDocument document;   // the schedule on the training-timestep axis
    SamplerSettings sampler;     // engine settings
    std::vector<int> timesteps;  // the sampler's steps, denoising order
    std::vector<double> stepWidths;
};

// --sampler ddim|ddpm, --steps N (default `defaultSteps`), --eta X, --variance,
// --seed K, --no-clip; validated against T.
SamplerSettings samplerFromArgs(const Args& args, int T, int defaultSteps = 50);

// A schedule file for a model of `modelWidths`: a width the model lacks is
// refused, naming it and its first t, unless --snap-widths is given; then it
// is snapped to the nearest model width and a note on stderr says which.
ScheduleDocument loadScheduleForModel(const Args& args, const std::string& path, int T,
                                      const std::vector<double>& modelWidths);

// --schedule FILE (JSON or search.txt) or --width W (uniform, default the
// widest), either checked against `modelWidths` as loadScheduleForModel does;
// --steps N (default `defaultSteps`), --sampler ddim|ddpm, --eta X,
// --variance, --seed K, --no-clip.
ScheduleChoice chooseSchedule(const Args& args, int T, const std::vector<double>& modelWidths,
                              int defaultSteps = 50);
// The same without a model to check widths against (only (0, 1] is enforced).
ScheduleChoice chooseSchedule(const Args& args, int T, double fullWidth, int defaultSteps = 50);

inline const char* kScheduleOptionsHelp =
    "  --schedule FILE      step-aware schedule (.json or the paper's search.txt)\n"
    "  --width W            uniform width instead of a schedule (default 1.0)\n"
    "  --steps N            sampler steps, respaced evenly over T (default 50)\n"
    "  --sampler KIND       ddim (default) or ddpm\n"
    "  --eta X              DDIM eta (default 0)\n"
    "  --variance V         DDPM fixedlarge (default) or fixedsmall\n"
    "  --seed K             noise seed (default 0)\n"
    "  --no-clip            do not clamp predicted x0 to [-1, 1]\n"
    "  --snap-widths        round schedule widths the model lacks to its nearest width\n"
    "                       (with a note) instead of refusing the schedule\n";

inline const std::set<std::string> kScheduleValueOptions{"schedule", "width", "steps", "sampler", "eta", "variance", "seed"};
inline const std::set<std::string> kScheduleFlagOptions{"no-clip", "snap-widths"};

}  // namespace ddsm::cli
