// The training's settings by flag: listed from core/training's one
// declaration (forEachTrainOption), and read from text into TrainOptions.
#include "api/api_internal.h"

#include "base/error.h"
#include "base/option_value.h"
#include "training/train_options.h"

#include <sstream>
#include <type_traits>

namespace ddsm::api {

namespace {

template <typename T>
std::string valueText(const T& field)
{
    std::ostringstream text;
    if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>)
        text << field;
    return text.str();
}

template <typename T>
void readSetting(const std::string& flag, const std::string& text, T& field)
{
    if constexpr (std::is_same_v<T, double>) {
        field = parseNumberOption(flag, text);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
        field = parseSeedOption(flag, text);
    } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, int>) {
        field = T(parseIntegerOption(flag, text));
    } else if constexpr (std::is_same_v<T, std::string>) {
        field = text;  // TrainOptions::validate checks the value
    } else {
        throw Error("--" + flag + " has no reader for its type");
    }
}

}  // namespace

std::vector<TrainSetting> trainSettings()
{
    std::vector<TrainSetting> settings;
    const TrainOptions defaults;
    forEachTrainOption(defaults, [&](const auto& field, const TrainOptionInfo& info) {
        if (!*info.flag)
            return;
        settings.push_back({info.flag, info.value, info.help, valueText(field), info.changesOnResume});
    });
    return settings;
}

void applyTrainSettings(TrainOptions& options, const std::map<std::string, std::string>& settings,
                        const std::string& resumedCheckpoint, const Notes& note)
{
    std::map<std::string, std::string> unread = settings;
    forEachTrainOption(options, [&](auto& field, const TrainOptionInfo& info) {
        if (!*info.flag)
            return;
        const auto given = settings.find(info.flag);
        unread.erase(info.flag);
        if (given == settings.end())
            return;
        if (resumedCheckpoint.empty()) {
            readSetting(info.flag, given->second, field);
            return;
        }
        // How the remaining steps spend their effort may change (the checkpoint
        // records it from here on); what defines the run may not.
        if (!info.changesOnResume)
            throw Error(std::string("--") + info.flag + " cannot change when a run resumes (it keeps " +
                        resumedCheckpoint + "'s settings); see --help for the options marked * that can");
        const auto before = field;
        readSetting(info.flag, given->second, field);
        if (field != before && std::string(info.flag) != "steps" && note)
            note(std::string("--") + info.flag + " changes from " + valueText(before) + " to " + valueText(field) +
                 " at this step");
    });
    if (!unread.empty())
        throw Error("no training setting --" + unread.begin()->first);
}

}  // namespace ddsm::api
