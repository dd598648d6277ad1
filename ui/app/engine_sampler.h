#pragma once
// The engine's sampler settings for the sampler the user chose. Worker side
// only: engine/sampler.h brings torch types.
#include "engine/sampler.h"
#include "sampling_request.h"

namespace ddsm::ui {

SamplerSettings engineSampler(const SamplerChoice& choice);

}  // namespace ddsm::ui
