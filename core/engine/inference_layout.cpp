#include "engine/inference_layout.h"

#include <c10/core/GradMode.h>

#include <atomic>

namespace ddsm {

namespace {

std::atomic<bool> enabled{true};

}  // namespace

bool runsChannelsLast(const at::Tensor& x)
{
    return enabled && !c10::GradMode::is_enabled() && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
           x.dim() == 4;
}

void setChannelsLastEnabled(bool on) { enabled = on; }
bool channelsLastEnabled() { return enabled; }

}  // namespace ddsm
