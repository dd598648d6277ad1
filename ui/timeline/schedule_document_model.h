#pragma once
// The schedule being edited: what the timeline shows and every view that
// follows the schedule reads. All edits are undo commands on undoStack().
//
// Axes (see DESIGN.md, "Two time axes"): schedule() lives on the training
// timestep axis, index t in [0, T), t = 0 the clean image. The sampler has
// steps() steps that visit stepTimesteps() in DENOISING ORDER: step 0 is the
// noisiest (t = T-1), step N-1 the image end (t = 0). Per-step vectors here
// (stepTimesteps, stepWidths) all run in that order.
#include "timeline/schedule_state.h"
#include "timeline/step_mapping.h"

#include <QObject>
#include <QStringList>
#include <QUndoStack>

#include <vector>

namespace ddsm::ui {

class ScheduleDocumentModel final : public QObject {
    Q_OBJECT

public:
    // DDSM's CIFAR-10 setting: T = 1000, widths 1.0, 0.75, 0.5, 0.25, a
    // 50-step sampler, the full width everywhere.
    explicit ScheduleDocumentModel(QObject* parent = nullptr);

    // Starts a new document for a model (clears the undo history). `widths`
    // are the model's widths, strictly descending; `steps` in 1..T. An empty
    // `schedule` means the largest width everywhere. Throws ddsm::Error on
    // invalid arguments and then changes nothing.
    void reset(int T, std::vector<double> widths, int steps, StepSchedule schedule = {},
               const QString& name = QString());

    int T() const { return T_; }
    const std::vector<double>& modelWidths() const { return widths_; }
    int steps() const { return steps_; }
    const StepSchedule& schedule() const { return state_.schedule; }
    // The name given with the schedule (preset, file, search point); after an
    // edit, the preset it equals, if any; else empty ("custom").
    QString name() const;
    const ImportanceCurve& importanceCurve() const { return state_.curve; }
    const ScheduleState& state() const { return state_; }
    QUndoStack* undoStack() { return &undoStack_; }

    // respacedTimesteps(T, steps), denoising order.
    const std::vector<int>& stepTimesteps() const { return stepTimesteps_; }
    // The width of every sampler step, denoising order.
    std::vector<double> stepWidths() const;
    double stepWidth(int step) const;
    // The training timesteps an edit of `step` sets (step_mapping.h).
    TimestepSpan spanOfStep(int step) const;

    // A fresh id for one mouse drag: edits passed the same id merge into one
    // undo step.
    int beginDrag() { return ++lastDragId_; }

    // Sets steps first..last (either order, clamped to 0..N-1) to `width`.
    void setStepRangeWidth(int first, int last, double width, int dragId = -1);
    // Replaces the whole schedule as one undo step; throws ddsm::Error (and
    // changes nothing) unless its T and every width are the model's.
    void setSchedule(StepSchedule schedule, const QString& name, const QString& undoText);
    // Replaces the importance curve; the schedule follows fromImportance.
    void setImportanceCurve(const ImportanceCurve& curve, int dragId = -1,
                            const QString& undoText = QString());
    // Whether the schedule is what the importance curve gives.
    bool scheduleMatchesCurve() const;
    // Moves the curve's points to match the current schedule, without an undo
    // step (the curve is a way to edit, the schedule is the document). Keeps
    // the thresholds.
    void fitImportanceCurveToSchedule();
    // Changes N; the training-axis schedule stays and stepWidths re-derive.
    void setSteps(int steps);

    // schedulePresets(T, modelWidths()) names, in their order.
    QStringList presetNames() const;
    QString presetDescription(const QString& name) const;
    // False (and nothing changes) if there is no such preset.
    bool applyPreset(const QString& name);
    // Loads a schedule file (JSON or search.txt, schedule_file.h). On failure
    // the document is unchanged, `error` (if given) gets a message naming the
    // file and importFailed is emitted with it.
    bool importFile(const QString& path, QString* error = nullptr);

signals:
    // The schedule, its name or the importance curve changed.
    void scheduleChanged();
    // N changed; stepTimesteps and stepWidths re-derive.
    void stepsChanged();
    // T or the model's widths changed (reset); everything re-derives.
    void modelChanged();
    void importFailed(const QString& message);

private:
    friend class SetWidthsCommand;
    friend class SetStepsCommand;
    void restoreState(const ScheduleState& state);
    void restoreSteps(int steps);

    int T_ = 0;
    std::vector<double> widths_;
    int steps_ = 0;
    std::vector<int> stepTimesteps_;
    ScheduleState state_;
    QUndoStack undoStack_;
    int lastDragId_ = 0;
};

}  // namespace ddsm::ui
