#include "base/atomic_file.h"

#include "base/error.h"
#include "base/input_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ddsm {

namespace {
std::string systemError() { return std::strerror(errno); }
}  // namespace

void writeFileAtomically(const std::string& path, std::string_view bytes)
{
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot write " + path + ": " + systemError());
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string reason = systemError();
            ::close(fd);
            ::unlink(temporary.c_str());
            throw Error("cannot write " + path + ": " + reason);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string reason = systemError();
        ::unlink(temporary.c_str());
        throw Error("cannot write " + path + ": " + reason);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = systemError();
        ::unlink(temporary.c_str());
        throw Error("cannot replace " + path + ": " + reason);
    }
}

std::string readWholeFile(const std::string& path)
{
    rejectFolder(path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open " + path + ": " + systemError());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw Error("cannot read " + path);
    return buffer.str();
}

}  // namespace ddsm
