#include "schedule/schedule_file.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "schedule/schedule_json.h"
#include "schedule/search_txt.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace ddsm {

namespace {

std::string lowercaseExtension(const std::string& path)
{
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

// The first character that is neither whitespace nor a UTF-8 byte order mark.
char firstSignificantCharacter(const std::string& text)
{
    size_t at = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at])))
        ++at;
    return at < text.size() ? text[at] : '\0';
}

}  // namespace

void saveSchedule(const std::string& path, const ScheduleDocument& document)
{
    const std::string extension = lowercaseExtension(path);
    std::string bytes;
    try {
        if (extension == ".json")
            bytes = scheduleToJson(document);
        else if (extension == ".txt")
            bytes = scheduleToSearchTxt(document.schedule);
        else
            throw Error("unknown extension \"" + extension
                        + "\", expected .json (schedule JSON) or .txt (search.txt)");
    } catch (const Error& e) {
        throw Error("cannot save " + path + ": " + e.what());
    }
    writeFileAtomically(path, bytes);
}

ScheduleDocument loadSchedule(const std::string& path, std::optional<int> expected_T)
{
    const std::string text = readWholeFile(path);
    ScheduleDocument document;
    switch (firstSignificantCharacter(text)) {
    case '{':
        document = scheduleFromJson(text, path);
        if (expected_T && document.schedule.T() != *expected_T)
            throw Error(path + ": field \"T\" is " + std::to_string(document.schedule.T())
                        + ", expected T = " + std::to_string(*expected_T));
        break;
    case '[':
        document.schedule = scheduleFromSearchTxt(text, path, expected_T);
        document.name = std::filesystem::path(path).stem().string();
        break;
    case '\0':
        throw Error(path + ": the file is empty, expected a schedule");
    default:
        throw Error(path + ": not a schedule file: expected a JSON object ('{') or a "
                           "search.txt list ('[')");
    }
    return document;
}

}  // namespace ddsm
