#pragma once
// Saving and loading schedule files in either format: the versioned JSON of
// schedule_json.h, or DDSM's search.txt list literal of search_txt.h.
#include "schedule/schedule_document.h"

#include <optional>
#include <string>

namespace ddsm {

// Atomic save; the extension picks the format: ".json" writes the whole
// document, ".txt" writes search.txt (the widths only: name, sampler, model,
// costs and metrics are not kept). Throws ddsm::Error naming the path.
void saveSchedule(const std::string& path, const ScheduleDocument& document);

// Reads either format, told apart by content rather than by extension: a JSON
// object ('{') or a list literal ('['). A search.txt document takes its name
// from the file name. If `expected_T` is given, the schedule's T must match.
// Errors name the path and the line and column or the field at fault.
ScheduleDocument loadSchedule(const std::string& path,
                              std::optional<int> expected_T = std::nullopt);

}  // namespace ddsm
