#pragma once
// Settings that wait for their model to open: a workspace's, a PNG's or an
// autosave's schedule and sampler, or the starting schedule a model file ships
// with (NAME.schedule.json). The window hands them to the opened model once, or
// drops them when the model fails to open.
#include "sampler_choice.h"
#include "schedule/schedule_document.h"

#include <QString>

#include <optional>

namespace ddsm::ui {

class PendingSettings {
public:
    // From a file: they win over the model's own starting schedule.
    void hold(std::optional<ScheduleDocument> schedule, std::optional<SamplerChoice> sampler);
    // Recovered autosaved edits: unsaved once their model has opened.
    void setRecovering(bool recovering) { recovering_ = recovering; }
    bool recovering() const { return recovering_; }

    // The schedule (and sampler it was searched for) that `modelPath` ships
    // with, unless settings from a file or a recovery wait; `current` is the
    // sampler form's choice the file's kind, steps and eta change. Returns why
    // it could not be read, if it could not.
    std::optional<QString> holdStartingSchedule(const QString& modelPath, int T, const SamplerChoice& current);

    struct Start {
        SamplerChoice sampler;  // held, else `current`
        StepSchedule schedule;  // held if it spans the model's T, else empty (full width)
        QString name;
        bool recovering = false;
    };
    // What a model of T timesteps opens with; nothing stays held.
    Start take(int T, const SamplerChoice& current);
    void clear();

private:
    std::optional<ScheduleDocument> schedule_;
    std::optional<SamplerChoice> sampler_;
    bool recovering_ = false;
};

}  // namespace ddsm::ui
