#include "sampling_request.h"

#include <QRect>

namespace ddsm::ui {

int GridGeometry::tileAt(int x, int y) const
{
    const int pitch = tileSize + padding;
    if (pitch <= 0 || x < padding || y < padding)
        return -1;
    const int column = (x - padding) / pitch, row = (y - padding) / pitch;
    if ((x - padding) % pitch >= tileSize || (y - padding) % pitch >= tileSize || column >= columns)
        return -1;
    const int index = row * columns + column;
    return index < count ? index : -1;
}

QRect GridGeometry::tileRect(int index) const
{
    const int pitch = tileSize + padding;
    return QRect(padding + (index % columns) * pitch, padding + (index / columns) * pitch, tileSize, tileSize);
}

}  // namespace ddsm::ui
