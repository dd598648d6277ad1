#pragma once
// The work that touches the network: opening a model file, sampling and
// timing. Each runs on the worker thread (model_session.h), never on the GUI
// thread. Torch stays in the .cpp files; callers see only forward declarations.
#include "latency_profile.h"
#include "model_info.h"
#include "sampling_request.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace ddsm {
class Denoiser;
}

namespace ddsm::ui {

struct OpenedModel {
    std::shared_ptr<Denoiser> denoiser;
    ModelInfo info;
};

// Throws ddsm::Error (or std::exception) with a message naming the file and the fault.
OpenedModel openModelFile(const QString& path);

using FrameSink = std::function<void(StepFrame)>;

// Runs the schedule with the sampler settings; every step goes to `onFrame`
// (when request.sendFrames) as soon as it is computed. Stops before the next
// network call once `cancel` is set. Never throws: errors land in the outcome.
SamplingOutcome runSamplingJob(Denoiser& denoiser, const SamplingRequest& request, int job,
                               const std::atomic<bool>& cancel, const FrameSink& onFrame);

struct LatencySettings {
    int batch = 16;
    int warmup = 2;
    int repeats = 5;
};

// Times one forward pass of a batch at each width (warm-up calls first, then
// the median of `repeats`), reported per image. Returns an empty profile if
// cancelled. `progress(done, total)` counts network calls.
LatencyProfile measureLatency(Denoiser& denoiser, const LatencySettings& settings, const std::atomic<bool>& cancel,
                              const std::function<void(int, int)>& progress);

}  // namespace ddsm::ui
