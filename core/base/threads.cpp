#include "base/threads.h"

#include <thread>

namespace ddsm {

int defaultThreadCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace ddsm
