// Schedule files as loadSchedule reads them: a JSON document or the paper's
// search.txt, told apart by content. ddsm::Error is the expected refusal;
// anything else (a crash, another exception, a sanitizer report) is a bug.
#include "base/error.h"
#include "schedule/schedule_json.h"
#include "schedule/search_txt.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto document = ddsm::scheduleFromJson(text, "fuzz.json");
        ddsm::scheduleToJson(document);  // whatever reads must also write
    } catch (const ddsm::Error&) {
    }
    try {
        ddsm::scheduleFromSearchTxt(text, "fuzz.txt");
    } catch (const ddsm::Error&) {
    }
    return 0;
}
