#pragma once
// Everything an edit of the schedule can change, swapped whole by the undo
// commands so that undo restores it exactly.
#include "schedule/step_schedule.h"
#include "timeline/importance_curve.h"

#include <QString>

namespace ddsm::ui {

struct ScheduleState {
    StepSchedule schedule;  // training-timestep axis, index = t
    QString name;
    ImportanceCurve curve;

    friend bool operator==(const ScheduleState& a, const ScheduleState& b)
    {
        return a.schedule == b.schedule && a.name == b.name && a.curve == b.curve;
    }
    friend bool operator!=(const ScheduleState& a, const ScheduleState& b) { return !(a == b); }
};

}  // namespace ddsm::ui
