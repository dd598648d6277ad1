#pragma once
// Grid PNGs that carry their settings in the "ddsm-settings" text chunk, in
// the same JSON shape as `ddsm sample` writes:
//   {"schedule": <schedule JSON>, "model": "...", "sampler": "...", "count": N}
// Opening such a PNG restores its schedule and sampler settings.
#include "sampling_request.h"
#include "schedule/schedule_document.h"

#include <QImage>
#include <QString>

#include <optional>
#include <string>

namespace ddsm::ui {

std::string gridSettingsJson(const ScheduleDocument& document, const QString& model, const std::string& samplerText,
                             int count);

// Atomic write; throws ddsm::Error naming the path.
void writeGridPng(const QString& path, const QImage& grid, const std::string& settingsJson);

struct RestoredSettings {
    ScheduleDocument document;
    std::optional<SamplerChoice> sampler;  // from the schedule's sampler record and "count"
    QString model;
};

// True if the file starts with the PNG signature (whatever its extension).
bool looksLikePng(const QString& path);
// Throws ddsm::Error if the PNG has no settings chunk or it is malformed.
RestoredSettings settingsFromPng(const QString& path);

}  // namespace ddsm::ui
