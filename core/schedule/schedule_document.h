#pragma once
// A schedule with the context it was made in, as saved to and loaded from a
// schedule file: the sampler it was tuned for, the model it belongs to, and
// the costs and metrics measured when it was exported.
#include "schedule/step_schedule.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ddsm {

struct SamplerRecord {
    std::string kind;  // "ddim", "ddpm", ...
    int steps = 0;     // 1..T
    double eta = 0.0;  // DDIM stochasticity, >= 0
    std::uint64_t seed = 0;
};
bool operator==(const SamplerRecord& a, const SamplerRecord& b);

struct ModelIdentity {
    std::string name;
    std::string sha256;  // hex digest of the weights file; empty if unknown
};
bool operator==(const ModelIdentity& a, const ModelIdentity& b);

struct ScheduleDocument {
    StepSchedule schedule;
    std::string name;
    std::optional<SamplerRecord> sampler;
    std::optional<ModelIdentity> model;
    // Free-form JSON objects, kept as compact JSON text (as nlohmann's dump()
    // prints it); empty when absent.
    std::string costs_json;
    std::string metrics_json;
};
bool operator==(const ScheduleDocument& a, const ScheduleDocument& b);
inline bool operator!=(const ScheduleDocument& a, const ScheduleDocument& b) { return !(a == b); }

}  // namespace ddsm
