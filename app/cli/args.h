#pragma once
// A small, strict command-line parser: `--name value`, `--flag`, positionals.
// Unknown options and missing values are errors that name the option; an
// option not given reads as its declared default (Option::defaultValue).
#include "option_table.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ddsm::cli {

class Args {
public:
    // The options `options` declares: those with a value placeholder take a
    // value, the others are flags.
    Args(const std::vector<std::string>& argv, const OptionTable& options);

    bool has(const std::string& name) const;
    // The value on the command line, if one was given.
    std::optional<std::string> given(const std::string& name) const;

    // The value given, else the declared default. The default is the code's
    // own, not the user's: an undeclared option, one without a defaultValue or
    // a default of the wrong type is a programming error, std::logic_error.
    std::string get(const std::string& name) const;
    int getInt(const std::string& name) const;
    int64_t getInt64(const std::string& name) const;
    uint64_t getSeed(const std::string& name) const;
    double getDouble(const std::string& name) const;

    // The value given, else `fallback`: for defaults the code computes
    // (described by Option::defaultText) or that differ by subcommand.
    std::string get(const std::string& name, const std::string& fallback) const;
    int getInt(const std::string& name, int fallback) const;
    int64_t getInt64(const std::string& name, int64_t fallback) const;
    uint64_t getSeed(const std::string& name, uint64_t fallback) const;
    double getDouble(const std::string& name, double fallback) const;
    const std::vector<std::string>& positionals() const { return positionals_; }
    bool wantsHelp() const { return help_; }

private:
    // The declared defaultValue of `name`; std::logic_error if there is none.
    const std::string& declaredDefault(const std::string& name) const;

    OptionTable options_;
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positionals_;
    bool help_ = false;
};

}  // namespace ddsm::cli
