// .safetensors files: the 8-byte length, the JSON header and its tensor
// table, then, for a header with metadata, the checks a DDSM Studio model
// file's metadata passes before a network is built (format, version, the
// architecture as a net config). An accepted header must tile the data
// buffer exactly, as the reader promises.
#include "base/error.h"
#include "engine/model_metadata.h"
#include "io/safetensors_header.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    ddsm::SafetensorsHeader header;
    try {
        header = ddsm::readSafetensorsHeader(in, size, "fuzz.safetensors");
    } catch (const ddsm::Error&) {
        return 0;
    }
    uint64_t cursor = 0;
    for (const ddsm::SafetensorsEntry& entry : header.entries) {
        if (entry.begin != cursor || entry.end < entry.begin)
            std::abort();
        cursor = entry.end;
    }
    if (cursor != header.bufferBytes || 8 + header.headerBytes + header.bufferBytes != size)
        std::abort();
    try {
        ddsm::readModelMetadata(header.metadata, "fuzz.safetensors");
    } catch (const ddsm::Error&) {
    }
    return 0;
}
