// The text chunks of a PNG (the "ddsm-settings" iTXt chunk a grid carries).
#include "base/error.h"
#include "io/png_text.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        ddsm::decodePngText(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.png");
    } catch (const ddsm::Error&) {
    }
    return 0;
}
