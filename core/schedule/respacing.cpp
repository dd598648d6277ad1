#include "schedule/respacing.h"

#include "base/error.h"

#include <string>

namespace ddsm {

std::vector<int> respacedTimesteps(int T, int steps)
{
    if (T <= 0)
        throw Error("respacing: T = " + std::to_string(T) + " must be positive");
    if (steps < 1 || steps > T)
        throw Error("respacing: steps = " + std::to_string(steps) + " is outside 1..T = "
                    + std::to_string(T));
    if (steps == 1)
        return {T - 1};
    // Integer arithmetic, so that the result does not depend on float rounding:
    // round(a / b) for a >= 0 is (2a + b) / (2b).
    const long long span = T - 1;
    const long long gaps = steps - 1;
    std::vector<int> timesteps(static_cast<size_t>(steps));
    for (long long i = 0; i < steps; ++i) {
        const long long t = (2 * i * span + gaps) / (2 * gaps);
        timesteps[static_cast<size_t>(gaps - i)] = static_cast<int>(t);
    }
    return timesteps;
}

}  // namespace ddsm
