#pragma once
// A schedule may only use widths the model has: a width such as 0.6 on a
// model of {1, 0.75, 0.5, 0.25} would run an untrained slice (or be counted as
// a neighbour by whoever maps it). One check for every reader of schedules,
// the command line and the app alike, and the explicit alternative: snapping
// each foreign width to the nearest model width, with a note saying so.
#include "schedule/step_schedule.h"

#include <functional>
#include <string>
#include <vector>

namespace ddsm {

// "1.0, 0.75, 0.5, 0.25"
std::string describeWidths(const std::vector<double>& widths);

// Throws ddsm::Error "<source>: width 0.6 at t = 500 (and 399 more timesteps)
// is not one of the model's widths (1.0, 0.75, 0.5, 0.25)": the foreign width
// at the lowest t (the search.txt index) and how many timesteps use foreign
// widths in all. Widths match to 1e-9.
void requireModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths,
                        const std::string& source);

struct SnappedWidth {
    double from = 0;
    double to = 0;
    int timesteps = 0;  // how many t had `from`
};

struct SnappedSchedule {
    StepSchedule schedule;
    std::vector<SnappedWidth> snapped;  // empty if every width was the model's; ascending `from`
    // "snapped to the model's widths: 0.6 -> 0.5 (400 timesteps), 0.9 -> 1.0 (10 timesteps)"
    std::string note() const;
};

// Each width the model lacks becomes the nearest model width (the wider on a
// tie, so a step never runs on less network than was asked for).
SnappedSchedule snapToModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths);

// What every command does with a schedule for a model: without `snap`,
// requireModelWidths (its message ending with the --snap-widths hint); with
// it, snapToModelWidths, `note` receiving "note: <source>: <what snapped>".
StepSchedule fitToModelWidths(const StepSchedule& schedule, const std::vector<double>& modelWidths,
                              const std::string& source, bool snap,
                              const std::function<void(const std::string&)>& note);

}  // namespace ddsm
