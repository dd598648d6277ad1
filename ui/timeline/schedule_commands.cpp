#include "timeline/schedule_commands.h"

#include "timeline/schedule_document_model.h"

namespace ddsm::ui {

namespace {
constexpr int kSetWidthsMergeId = 0x5157;  // any value unique among this stack's commands
}

SetWidthsCommand::SetWidthsCommand(ScheduleDocumentModel* model, ScheduleState after,
                                   const QString& text, int dragId)
    : QUndoCommand(text), model_(model), before_(model->state()), after_(std::move(after)),
      dragId_(dragId)
{
}

void SetWidthsCommand::undo() { model_->restoreState(before_); }

void SetWidthsCommand::redo() { model_->restoreState(after_); }

int SetWidthsCommand::id() const { return dragId_ == kNoDrag ? -1 : kSetWidthsMergeId; }

bool SetWidthsCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const SetWidthsCommand*>(other);
    if (next->model_ != model_ || next->dragId_ != dragId_)
        return false;
    after_ = next->after_;
    // A drag that ends where it began leaves nothing to undo.
    setObsolete(after_ == before_);
    return true;
}

SetStepsCommand::SetStepsCommand(ScheduleDocumentModel* model, int after)
    : QUndoCommand(QObject::tr("Sampler steps %1 → %2").arg(model->steps()).arg(after)),
      model_(model), before_(model->steps()), after_(after)
{
}

void SetStepsCommand::undo() { model_->restoreSteps(before_); }

void SetStepsCommand::redo() { model_->restoreSteps(after_); }

}  // namespace ddsm::ui
