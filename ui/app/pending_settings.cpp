#include "pending_settings.h"

#include "schedule/schedule_file.h"

#include <QDir>
#include <QFileInfo>

#include <exception>

namespace ddsm::ui {

void PendingSettings::hold(std::optional<ScheduleDocument> schedule, std::optional<SamplerChoice> sampler)
{
    schedule_ = std::move(schedule);
    sampler_ = std::move(sampler);
}

std::optional<QString> PendingSettings::holdStartingSchedule(const QString& modelPath, int T,
                                                             const SamplerChoice& current)
{
    if (schedule_ || recovering_)
        return std::nullopt;
    const QFileInfo modelFile(modelPath);
    const QString path = modelFile.dir().filePath(modelFile.completeBaseName() + QStringLiteral(".schedule.json"));
    if (!QFileInfo::exists(path))
        return std::nullopt;
    try {
        ScheduleDocument document = loadSchedule(path.toStdString(), T);
        if (document.sampler && !sampler_) {
            SamplerChoice sampler = current;
            sampler.kind = document.sampler->kind;
            sampler.steps = document.sampler->steps;
            sampler.eta = document.sampler->eta;
            sampler_ = sampler;
        }
        schedule_ = std::move(document);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return std::nullopt;
}

PendingSettings::Start PendingSettings::take(int T, const SamplerChoice& current)
{
    Start start;
    start.sampler = sampler_.value_or(current);
    if (schedule_ && schedule_->schedule.T() == T) {
        start.schedule = schedule_->schedule;
        start.name = QString::fromStdString(schedule_->name);
    }
    start.recovering = recovering_;
    clear();
    return start;
}

void PendingSettings::clear()
{
    schedule_.reset();
    sampler_.reset();
    recovering_ = false;
}

}  // namespace ddsm::ui
