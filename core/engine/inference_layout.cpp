#include "engine/inference_layout.h"

#include <c10/core/GradMode.h>

#include <atomic>

namespace ddsm {

namespace {

std::atomic<bool> enabled{true};
std::atomic<bool> training{false};

}  // namespace

bool runsChannelsLast(const at::Tensor& x)
{
    return enabled && (training || !c10::GradMode::is_enabled()) && x.device().is_cpu() &&
           x.scalar_type() == at::kFloat && x.dim() == 4;
}

void setChannelsLastEnabled(bool on) { enabled = on; }
bool channelsLastEnabled() { return enabled; }
void setChannelsLastTrainingEnabled(bool on) { training = on; }

}  // namespace ddsm
