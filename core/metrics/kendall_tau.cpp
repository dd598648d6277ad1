#include "metrics/kendall_tau.h"

#include "base/error.h"

#include <cmath>
#include <string>

namespace ddsm {

double kendallTau(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size())
        throw Error("Kendall tau of sequences of different lengths (" + std::to_string(x.size()) + " and " +
                    std::to_string(y.size()) + ")");
    if (x.size() < 2)
        throw Error("Kendall tau needs at least 2 pairs");
    double concordant = 0, discordant = 0, tiedX = 0, tiedY = 0, pairs = 0;
    for (size_t i = 0; i < x.size(); ++i)
        for (size_t j = i + 1; j < x.size(); ++j) {
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            pairs += 1;
            if (dx == 0)
                tiedX += 1;
            if (dy == 0)
                tiedY += 1;
            if (dx != 0 && dy != 0)
                (dx * dy > 0 ? concordant : discordant) += 1;
        }
    const double denominator = std::sqrt((pairs - tiedX) * (pairs - tiedY));
    if (denominator == 0)
        throw Error("Kendall tau is undefined for a constant sequence");
    return (concordant - discordant) / denominator;
}

}  // namespace ddsm
