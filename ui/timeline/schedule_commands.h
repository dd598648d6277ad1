#pragma once
// Undo commands of the schedule document. Like Tiled's ChangeValue, each one
// swaps a before and an after value; commands sharing a drag id merge, so one
// mouse drag is one undo step.
#include "timeline/schedule_state.h"

#include <QUndoCommand>

namespace ddsm::ui {

class ScheduleDocumentModel;

// Not part of a drag: never merges.
inline constexpr int kNoDrag = -1;

// Replaces the schedule (its widths, name and importance curve).
class SetWidthsCommand final : public QUndoCommand {
public:
    SetWidthsCommand(ScheduleDocumentModel* model, ScheduleState after, const QString& text,
                     int dragId = kNoDrag);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    ScheduleDocumentModel* model_;
    ScheduleState before_;
    ScheduleState after_;
    int dragId_;
};

// Changes the sampler's step count N; the schedule on the training axis stays.
class SetStepsCommand final : public QUndoCommand {
public:
    SetStepsCommand(ScheduleDocumentModel* model, int after);

    void undo() override;
    void redo() override;

private:
    ScheduleDocumentModel* model_;
    int before_;
    int after_;
};

}  // namespace ddsm::ui
