#include "args.h"

#include "base/error.h"

#include <cmath>

namespace ddsm::cli {

Args::Args(const std::vector<std::string>& argv, const OptionTable& options)
{
    // Every unknown option is named at once: two typos need one correction, not two runs.
    std::vector<std::string> unknown;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--help" || a == "-h") {
            help_ = true;
        } else if (a.rfind("--", 0) == 0) {
            std::string name = a.substr(2), value;
            const auto eq = name.find('=');
            const bool inlineValue = eq != std::string::npos;
            if (inlineValue) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            const Option* option = options.find(name);
            if (!option) {
                unknown.push_back("--" + name);
                continue;
            }
            if (option->value.empty()) {
                if (inlineValue)
                    throw Error("option --" + name + " takes no value");
                flags_.insert(name);
            } else {
                if (!inlineValue) {
                    if (i + 1 >= argv.size())
                        throw Error("option --" + name + " needs a value");
                    value = argv[++i];
                }
                values_[name] = value;
            }
        } else {
            positionals_.push_back(a);
        }
    }
    if (unknown.size() == 1)
        throw Error("unknown option " + unknown.front() + " (see --help)");
    if (!unknown.empty()) {
        std::string names;
        for (const auto& name : unknown)
            names += (names.empty() ? "" : ", ") + name;
        throw Error("unknown options " + names + " (see --help)");
    }
}

bool Args::has(const std::string& name) const { return flags_.count(name) || values_.count(name); }

std::string Args::get(const std::string& name, const std::string& fallback) const
{
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::optional<std::string> Args::get(const std::string& name) const
{
    const auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

int64_t Args::getInt64(const std::string& name, int64_t fallback) const
{
    const auto v = get(name);
    if (!v)
        return fallback;
    try {
        size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used == v->size())
            return n;
    } catch (const std::exception&) {
    }
    throw Error("option --" + name + " expects an integer, got \"" + *v + "\"");
}

int Args::getInt(const std::string& name, int fallback) const { return int(getInt64(name, fallback)); }

uint64_t Args::getSeed(const std::string& name, uint64_t fallback) const
{
    const int64_t n = getInt64(name, int64_t(fallback));
    if (n < 0)
        throw Error("option --" + name + " must not be negative");
    return uint64_t(n);
}

double Args::getDouble(const std::string& name, double fallback) const
{
    const auto v = get(name);
    if (!v)
        return fallback;
    try {
        size_t used = 0;
        const double d = std::stod(*v, &used);
        if (used == v->size() && std::isfinite(d))
            return d;
    } catch (const std::exception&) {
    }
    throw Error("option --" + name + " expects a number, got \"" + *v + "\"");
}

}  // namespace ddsm::cli
