#pragma once
// The schedule file format: versioned, self-describing JSON.
//
// {
//   "format": "ddsm-schedule", "version": 1,
//   "name": "small-early-large-late",
//   "axis": "training_timestep",
//   "direction": "widths[t] is the network width at training timestep t; ...",
//   "T": 1000,
//   "widths": [ T numbers, index = training timestep t ],
//   "segments": [ {"t_begin": 999, "t_end": 500, "width": 0.25}, ... ],
//   "sampler": {"kind": "ddim", "steps": 50, "eta": 0.0, "seed": 1234},   optional
//   "model": {"name": "cifar10-slim", "sha256": "..."},                   optional
//   "costs": { free-form }, "metrics": { free-form }                      optional
// }
//
// "segments" (runs of equal width in denoising order, see ScheduleSegment) is
// written for human readers: a reader takes "widths" when present, refuses a
// file whose "segments" say otherwise (naming the first t where they differ),
// and rebuilds the schedule from "segments" only when "widths" is absent.
// Unknown fields are ignored, so that later versions can add context.
#include "schedule/schedule_document.h"

#include <string>

namespace ddsm {

inline constexpr const char* kScheduleFormatName = "ddsm-schedule";
inline constexpr int kScheduleFormatVersion = 1;

// Throws ddsm::Error if the document is not writable (empty schedule, sampler
// steps outside 1..T, costs or metrics not a JSON object).
std::string scheduleToJson(const ScheduleDocument& document);

// `source` names the text in error messages (usually the file path), e.g.
// "schedule.json: field \"widths\" has 999 entries, expected T = 1000".
ScheduleDocument scheduleFromJson(const std::string& text,
                                  const std::string& source = "schedule.json");

}  // namespace ddsm
