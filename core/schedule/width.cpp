#include "schedule/width.h"

#include "base/error.h"

#include <charconv>
#include <cmath>

namespace ddsm {

bool isValidWidth(double width)
{
    return std::isfinite(width) && width > 0.0 && width <= 1.0;
}

void requireValidWidth(double width, const std::string& what)
{
    if (!std::isfinite(width))
        throw Error(what + " is " + formatWidth(width) + ", not a finite number");
    if (!isValidWidth(width))
        throw Error(what + " is " + formatWidth(width) + ", outside (0, 1]");
}

std::string formatWidth(double width)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, width);
    std::string text(buffer, result.ptr);
    // to_chars prints 1.0 as "1"; keep it visibly a float, as Python does.
    if (std::isfinite(width) && text.find_first_of(".e") == std::string::npos)
        text += ".0";
    return text;
}

}  // namespace ddsm
