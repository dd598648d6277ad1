#include "timeline/schedule_document_model.h"

#include "base/error.h"
#include "schedule/model_widths.h"
#include "schedule/presets.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"
#include "timeline/schedule_commands.h"

#include <QFileInfo>

#include <algorithm>
#include <exception>

namespace ddsm::ui {

namespace {

constexpr int kCurveHandles = 6;

void requireDescendingWidths(const std::vector<double>& widths)
{
    if (widths.empty())
        throw Error("timeline: the model has no widths");
    for (size_t i = 0; i < widths.size(); ++i) {
        requireValidWidth(widths[i], "timeline: model width " + std::to_string(i));
        if (i > 0 && !(widths[i] < widths[i - 1]))
            throw Error("timeline: model widths must be strictly descending, but "
                        + formatWidth(widths[i]) + " follows " + formatWidth(widths[i - 1]));
    }
}

// What error messages call a schedule: its name, if it has one.
std::string scheduleLabel(const QString& name)
{
    return name.isEmpty() ? std::string("the schedule") : "schedule \"" + name.toStdString() + "\"";
}

}  // namespace

ScheduleDocumentModel::ScheduleDocumentModel(QObject* parent) : QObject(parent)
{
    reset(1000, {1.0, 0.75, 0.5, 0.25}, 50);
}

void ScheduleDocumentModel::reset(int T, std::vector<double> widths, int steps,
                                  StepSchedule schedule, const QString& name)
{
    requireDescendingWidths(widths);
    std::vector<int> timesteps = respacedTimesteps(T, steps);  // checks T and steps
    if (schedule.empty())
        schedule = StepSchedule::uniform(T, widths.front());
    if (schedule.T() != T)
        throw Error("timeline: the schedule has T = " + std::to_string(schedule.T())
                    + ", the model T = " + std::to_string(T));
    requireModelWidths(schedule, widths, scheduleLabel(name));

    T_ = T;
    widths_ = std::move(widths);
    steps_ = steps;
    stepTimesteps_ = std::move(timesteps);
    const ImportanceCurve defaults = ImportanceCurve::defaultFor(static_cast<int>(widths_.size()),
                                                                 kCurveHandles);
    state_ = {std::move(schedule), name, defaults};
    state_.curve = curveFittedTo(state_.schedule, widths_, defaults.thresholds, kCurveHandles);
    undoStack_.clear();
    emit modelChanged();
    emit stepsChanged();
    emit scheduleChanged();
}

std::vector<double> ScheduleDocumentModel::stepWidths() const
{
    return state_.schedule.widthsAt(stepTimesteps_);
}

double ScheduleDocumentModel::stepWidth(int step) const
{
    return state_.schedule.widthAt(stepTimesteps_.at(static_cast<size_t>(step)));
}

TimestepSpan ScheduleDocumentModel::spanOfStep(int step) const
{
    return ui::spanOfStep(stepTimesteps_, step, T_);
}

void ScheduleDocumentModel::setStepRangeWidth(int first, int last, double width, int dragId)
{
    first = std::clamp(first, 0, steps_ - 1);
    last = std::clamp(last, 0, steps_ - 1);
    const TimestepSpan span = spanOfSteps(stepTimesteps_, first, last, T_);
    ScheduleState after = state_;
    after.schedule.setRange(span.t_lo, span.t_hi, width);
    if (after.schedule != state_.schedule)
        after.name.clear();  // an edited schedule is no longer the one its name named
    if (after == state_)
        return;  // nothing to undo; a later move of the same drag may still change something
    const QString widthText = QString::fromStdString(formatWidth(width));
    const QString text = dragId != kNoDrag
                             ? tr("Paint width %1").arg(widthText)
                             : tr("Set width %1 for steps %2–%3")
                                   .arg(widthText)
                                   .arg(std::min(first, last))
                                   .arg(std::max(first, last));
    undoStack_.push(new SetWidthsCommand(this, std::move(after), text, dragId));
}

void ScheduleDocumentModel::setSchedule(StepSchedule schedule, const QString& name,
                                        const QString& undoText)
{
    if (schedule.T() != T_)
        throw Error("timeline: the schedule has T = " + std::to_string(schedule.T())
                    + ", the model T = " + std::to_string(T_));
    requireModelWidths(schedule, widths_, scheduleLabel(name));
    ScheduleState after = state_;
    after.schedule = std::move(schedule);
    after.name = name;
    if (after != state_)
        undoStack_.push(new SetWidthsCommand(this, std::move(after), undoText));
}

void ScheduleDocumentModel::setImportanceCurve(const ImportanceCurve& curve, int dragId,
                                               const QString& undoText)
{
    ScheduleState after = state_;
    after.curve = curve;
    after.schedule = scheduleFromCurve(curve, T_, widths_);
    if (after.schedule != state_.schedule)
        after.name.clear();
    if (after == state_)
        return;
    undoStack_.push(new SetWidthsCommand(
        this, std::move(after), undoText.isEmpty() ? tr("Edit importance curve") : undoText,
        dragId));
}

bool ScheduleDocumentModel::scheduleMatchesCurve() const
{
    return scheduleFromCurve(state_.curve, T_, widths_) == state_.schedule;
}

void ScheduleDocumentModel::fitImportanceCurveToSchedule()
{
    const ImportanceCurve fitted = curveFittedTo(state_.schedule, widths_, state_.curve.thresholds,
                                                 static_cast<int>(state_.curve.points.size()));
    if (fitted == state_.curve)
        return;
    state_.curve = fitted;
    emit scheduleChanged();
}

void ScheduleDocumentModel::setSteps(int steps)
{
    if (steps == steps_)
        return;
    if (steps < 1 || steps > T_)
        throw Error("timeline: steps = " + std::to_string(steps) + " is outside 1..T = "
                    + std::to_string(T_));
    undoStack_.push(new SetStepsCommand(this, steps));
}

QStringList ScheduleDocumentModel::presetNames() const
{
    QStringList names;
    for (const NamedSchedule& preset : schedulePresets(T_, widths_))
        names << QString::fromStdString(preset.name);
    return names;
}

QString ScheduleDocumentModel::name() const
{
    if (!state_.name.isEmpty())
        return state_.name;
    // A schedule painted back to a preset (e.g. all full width) is that preset.
    for (const auto& preset : schedulePresets(T_, widths_))
        if (preset.schedule == state_.schedule)
            return QString::fromStdString(preset.name);
    return QString();
}

QString ScheduleDocumentModel::presetDescription(const QString& name) const
{
    for (const NamedSchedule& preset : schedulePresets(T_, widths_))
        if (QString::fromStdString(preset.name) == name)
            return QString::fromStdString(preset.description);
    return QString();
}

bool ScheduleDocumentModel::applyPreset(const QString& name)
{
    for (NamedSchedule& preset : schedulePresets(T_, widths_)) {
        if (QString::fromStdString(preset.name) == name) {
            setSchedule(std::move(preset.schedule), name, tr("Apply preset %1").arg(name));
            return true;
        }
    }
    return false;
}

bool ScheduleDocumentModel::importFile(const QString& path, QString* error)
{
    QString message;
    try {
        ScheduleDocument document = loadSchedule(path.toStdString(), T_);
        requireModelWidths(document.schedule, widths_, path.toStdString());
        const QString name = document.name.empty() ? QFileInfo(path).completeBaseName()
                                                   : QString::fromStdString(document.name);
        setSchedule(std::move(document.schedule), name, tr("Import %1").arg(QFileInfo(path).fileName()));
        return true;
    } catch (const std::exception& e) {
        message = QString::fromUtf8(e.what());
    }
    // Core errors name the path already; a message of our own may not.
    if (!message.contains(path))
        message = tr("%1: %2").arg(path, message);
    if (error)
        *error = message;
    emit importFailed(message);
    return false;
}

void ScheduleDocumentModel::restoreState(const ScheduleState& state)
{
    state_ = state;
    emit scheduleChanged();
}

void ScheduleDocumentModel::restoreSteps(int steps)
{
    steps_ = steps;
    stepTimesteps_ = respacedTimesteps(T_, steps);
    emit stepsChanged();
}

}  // namespace ddsm::ui
