// .npz reference statistics: the zip container, then each member as .npy.
#include "base/error.h"
#include "metrics/npy_format.h"
#include "metrics/zip_archive.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        for (const ddsm::ZipEntry& entry : ddsm::decodeZip(bytes, "fuzz.npz")) {
            try {
                ddsm::decodeNpy(entry.data, entry.name);
            } catch (const ddsm::Error&) {
            }
        }
    } catch (const ddsm::Error&) {
    }
    // The same bytes as one bare .npy.
    try {
        ddsm::decodeNpy(bytes, "fuzz.npy");
    } catch (const ddsm::Error&) {
    }
    return 0;
}
