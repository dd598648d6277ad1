#pragma once
// Turning --schedule / --width / sampler options into what the sampler runs.
#include "api_options.h"
#include "args.h"

#include "engine/sampler.h"
#include "schedule/schedule_document.h"

#include <optional>
#include <string>
#include <vector>

namespace ddsm::cli {

struct ScheduleChoice {
    ScheduleDocument document;   // the schedule on the training-timestep axis
    SamplerSettings sampler;     // engine settings
    std::vector<int> timesteps;  // the sampler's steps, denoising order
    std::vector<double> stepWidths;
};

// --sampler ddim|ddpm, --steps N, --eta X, --variance, --seed K, --no-clip
// (samplerOptions, with their defaults; `steps`, if any, instead of the
// declared default of --steps); validated against T.
SamplerSettings samplerFromArgs(const Args& args, int T, std::optional<int> steps = std::nullopt);

// --schedule FILE (JSON or search.txt) or --width W (uniform, default the
// widest), either checked against `modelWidths` (fitToModelWidths:
// refused, or snapped with a note on stderr under --snap-widths);
// the sampler's options as samplerFromArgs reads them.
ScheduleChoice chooseSchedule(const Args& args, int T, const std::vector<double>& modelWidths,
                              std::optional<int> steps = std::nullopt);

}  // namespace ddsm::cli
