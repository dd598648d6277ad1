#include "model_info.h"

namespace ddsm::ui {

double ModelInfo::macsAt(double width) const
{
    // widths are descending: the last one at least as wide as `width` wins.
    double found = macs.empty() ? 0.0 : double(macs.front());
    for (size_t i = 0; i < widths.size() && i < macs.size(); ++i)
        if (widths[i] >= width - 1e-9)
            found = double(macs[i]);
    return found;
}

}  // namespace ddsm::ui
