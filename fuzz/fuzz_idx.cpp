// IDX image and label files (raw or gzip), read from a file as the data
// loader reads them.
#include "base/error.h"
#include "data/idx_file.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

// One scratch file per fuzzing process.
const std::string& scratchPath()
{
    static const std::string path = "/tmp/ddsm-fuzz-idx-" + std::to_string(getpid());
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FILE* file = std::fopen(scratchPath().c_str(), "wb");
    if (!file)
        return 0;
    std::fwrite(data, 1, size, file);
    std::fclose(file);
    try {
        ddsm::readIdxImages(scratchPath());
    } catch (const ddsm::Error&) {
    }
    try {
        ddsm::readIdxLabels(scratchPath());
    } catch (const ddsm::Error&) {
    }
    return 0;
}
