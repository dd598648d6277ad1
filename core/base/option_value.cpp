#include "base/option_value.h"

#include "base/error.h"

#include <cmath>
#include <exception>

namespace ddsm {

int64_t parseIntegerOption(const std::string& name, const std::string& text)
{
    try {
        size_t used = 0;
        const long long n = std::stoll(text, &used);
        if (used == text.size())
            return n;
    } catch (const std::exception&) {
    }
    throw Error("option --" + name + " expects an integer, got \"" + text + "\"");
}

uint64_t parseSeedOption(const std::string& name, const std::string& text)
{
    const int64_t n = parseIntegerOption(name, text);
    if (n < 0)
        throw Error("option --" + name + " must not be negative");
    return uint64_t(n);
}

double parseNumberOption(const std::string& name, const std::string& text)
{
    try {
        size_t used = 0;
        const double d = std::stod(text, &used);
        if (used == text.size() && std::isfinite(d))
            return d;
    } catch (const std::exception&) {
    }
    throw Error("option --" + name + " expects a number, got \"" + text + "\"");
}

}  // namespace ddsm
