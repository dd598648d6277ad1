#include "settings_png.h"

#include "base/error.h"
#include "image_conversion.h"
#include "io/png_text.h"
#include "schedule/schedule_json.h"

#include <QFile>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace ddsm::ui {

std::string gridSettingsJson(const ScheduleDocument& document, const QString& model, const std::string& samplerText,
                             int count)
{
    const nlohmann::json settings{{"schedule", nlohmann::json::parse(scheduleToJson(document))},
                                  {"model", model.toStdString()},
                                  {"sampler", samplerText},
                                  {"count", count}};
    return settings.dump();
}

void writeGridPng(const QString& path, const QImage& grid, const std::string& settingsJson)
{
    if (grid.isNull())
        throw Error(path.toStdString() + ": no finished grid to export");
    writePngWithText(path.toStdString(), matFromQImage(grid), {{kPngSettingsKey, settingsJson}});
}

bool looksLikePng(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8);
}

RestoredSettings settingsFromPng(const QString& path)
{
    const std::string where = path.toStdString();
    const PngText text = readPngText(where);
    const auto found = text.find(kPngSettingsKey);
    if (found == text.end())
        throw Error(where + ": no \"" + std::string(kPngSettingsKey) + "\" settings in this PNG");
    nlohmann::json settings;
    try {
        settings = nlohmann::json::parse(found->second);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": the settings are not valid JSON (" + e.what() + ")");
    }
    if (!settings.is_object() || !settings.contains("schedule"))
        throw Error(where + ": the settings have no \"schedule\"");

    RestoredSettings restored;
    restored.document = scheduleFromJson(settings["schedule"].dump(), where + " (ddsm-settings)");
    if (settings.contains("model") && settings["model"].is_string())
        restored.model = QString::fromStdString(settings["model"].get<std::string>());
    if (restored.document.sampler) {
        SamplerChoice choice;
        choice.kind = restored.document.sampler->kind;
        choice.steps = restored.document.sampler->steps;
        choice.eta = restored.document.sampler->eta;
        choice.seed = restored.document.sampler->seed;
        if (settings.contains("count") && settings["count"].is_number_integer())
            choice.count = settings["count"].get<int>();
        restored.sampler = choice;
    }
    return restored;
}

}  // namespace ddsm::ui
