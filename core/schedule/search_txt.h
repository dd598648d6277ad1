#pragma once
// DDSM's search.txt: one Python list literal of T widths, indexed by training
// timestep t (t = 0 the clean end), e.g. "[0.25, 0.5, 1.0, ...]". The list may
// span lines; entries are Python int or float literals; a trailing comma is
// allowed. It is read by a small strict tokenizer, never by an evaluator.
#include "schedule/step_schedule.h"

#include <optional>
#include <string>

namespace ddsm {

// T is the list length; if `expected_T` is given it must match. Errors give
// the position: "search.txt:3:17: expected a number or ']', found 'x'".
// `source` names the text in messages (usually the file path).
StepSchedule scheduleFromSearchTxt(const std::string& text,
                                   const std::string& source = "search.txt",
                                   std::optional<int> expected_T = std::nullopt);

// The same form on one line, widths printed exactly, ending in a newline:
// "[1.0, 0.75, 0.5, 0.25]\n".
std::string scheduleToSearchTxt(const StepSchedule& schedule);

}  // namespace ddsm
