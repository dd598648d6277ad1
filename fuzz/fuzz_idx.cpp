// IDX image and label files (raw or gzip), read through a path as the data
// loader reads them. The bytes live in a memory file (memfd) opened by its
// /proc path: no disk write per input.
#include "base/error.h"
#include "data/idx_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

struct MemoryFile {
    int fd = memfd_create("ddsm-fuzz-idx", 0);
    std::string path = "/proc/self/fd/" + std::to_string(fd);
};

const MemoryFile& memoryFile()
{
    static const MemoryFile file;
    if (file.fd < 0)
        std::abort();
    return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const MemoryFile& file = memoryFile();
    if (ftruncate(file.fd, 0) != 0 || pwrite(file.fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();
    try {
        ddsm::readIdxImages(file.path);
    } catch (const ddsm::Error&) {
    }
    try {
        ddsm::readIdxLabels(file.path);
    } catch (const ddsm::Error&) {
    }
    return 0;
}
