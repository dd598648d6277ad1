#pragma once
// A small, strict command-line parser: `--name value`, `--flag`, positionals.
// Unknown options and missing values are errors that name the option.
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
    std::string get(const std::string& name, const std::string& fallback) const;
    std::optional<std::string> get(const std::string& name) const;
    int getInt(const std::string& name, int fallback) const;
    int64_t getInt64(const std::string& name, int64_t fallback) const;
    uint64_t getSeed(const std::string& name, uint64_t fallback) const;
    double getDouble(const std::string& name, double fallback) const;
    const std::vector<std::string>& positionals() const { return positionals_; }
    bool wantsHelp() const { return help_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positionals_;
    bool help_ = false;
};

}  // namespace ddsm::cli
