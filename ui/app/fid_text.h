#pragma once
// How FID figures read wherever the app shows them.
#include <QString>

namespace ddsm::ui {

// A difference from full width, its sign always shown: "+0.33", "-21.75".
inline QString signedFid(double value)
{
    return QString::asprintf("%+.2f", value);
}

}  // namespace ddsm::ui
