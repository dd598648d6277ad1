#include "args.h"

#include "base/error.h"
#include "base/option_value.h"

#include <stdexcept>

namespace ddsm::cli {

Args::Args(const std::vector<std::string>& argv, const OptionTable& options) : options_(options)
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

namespace {

// A declared default the type refuses is the code's mistake, not the user's.
template <typename Parse>
auto parseDeclared(const std::string& name, const std::string& text, Parse parse)
{
    try {
        return parse(name, text);
    } catch (const Error& e) {
        throw std::logic_error("the declared default of --" + name + " is malformed: " + e.what());
    }
}

}  // namespace

const std::string& Args::declaredDefault(const std::string& name) const
{
    const Option* option = options_.find(name);
    if (!option)
        throw std::logic_error("option --" + name + " is read but not declared");
    if (option->defaultValue.empty())
        throw std::logic_error("option --" + name + " is read without a fallback but declares no default value");
    return option->defaultValue;
}

std::optional<std::string> Args::given(const std::string& name) const
{
    const auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

std::string Args::get(const std::string& name) const
{
    const auto v = given(name);
    return v ? *v : declaredDefault(name);
}

int64_t Args::getInt64(const std::string& name) const
{
    const auto v = given(name);
    return v ? parseIntegerOption(name, *v) : parseDeclared(name, declaredDefault(name), parseIntegerOption);
}

int Args::getInt(const std::string& name) const { return int(getInt64(name)); }

uint64_t Args::getSeed(const std::string& name) const
{
    const auto v = given(name);
    return v ? parseSeedOption(name, *v) : parseDeclared(name, declaredDefault(name), parseSeedOption);
}

double Args::getDouble(const std::string& name) const
{
    const auto v = given(name);
    return v ? parseNumberOption(name, *v) : parseDeclared(name, declaredDefault(name), parseNumberOption);
}

std::string Args::get(const std::string& name, const std::string& fallback) const
{
    const auto v = given(name);
    return v ? *v : fallback;
}

int64_t Args::getInt64(const std::string& name, int64_t fallback) const
{
    const auto v = given(name);
    return v ? parseIntegerOption(name, *v) : fallback;
}

int Args::getInt(const std::string& name, int fallback) const { return int(getInt64(name, fallback)); }

uint64_t Args::getSeed(const std::string& name, uint64_t fallback) const
{
    const auto v = given(name);
    return v ? parseSeedOption(name, *v) : fallback;
}

double Args::getDouble(const std::string& name, double fallback) const
{
    const auto v = given(name);
    return v ? parseNumberOption(name, *v) : fallback;
}

}  // namespace ddsm::cli
