#pragma once
// One declaration per command-line option: the parser (Args) and the --help
// rows both follow from it, so what a command accepts and what it lists agree.
#include <initializer_list>
#include <string>
#include <vector>

namespace ddsm::cli {

struct Option {
    std::string name;   // without "--"
    std::string value;  // placeholder shown in help ("N", "FILE"); empty: a flag
    // Continuation lines separated by '\n'. The default follows the last line;
    // a help ending in '\n' puts it on a line of its own.
    std::string help;
    // What Args' getters return when the option is not given ("1024"), shown
    // as "(default 1024)"; empty: none, or one the code computes (defaultText).
    std::string defaultValue = {};
    // A default described rather than given, "(default: all cores)", or a note
    // on defaultValue, "(default 1: one process)".
    std::string defaultText = {};
    bool marked = false;  // drawn as '*' before the name (train: may change on resume)
};

// A number as a defaultValue from a struct's default: 300, 0.9995, 1e-07.
std::string numberText(double value);

// "(default 1024)", "(default: all cores)", "(default 1: one process)"; empty
// without a default.
std::string defaultNote(const Option& option);

// Column at which every help row's text starts.
inline constexpr size_t kHelpColumn = 23;

// "  --name VALUE       text": text at kHelpColumn (at least one space after a
// longer name), each continuation line indented to it.
std::string helpRow(const Option& option);

// Options in help order, in sections that may open with a title line
// ("distributed (...):"); shared groups are concatenated with +. A name
// declared twice is a programming error: std::logic_error.
class OptionTable {
public:
    OptionTable() = default;
    OptionTable(std::initializer_list<Option> options);
    OptionTable(std::string title, std::initializer_list<Option> options);

    OptionTable& add(Option option);
    OptionTable& operator+=(const OptionTable& other);

    // A command's own wording of a shared option (its default stays); `name` must be declared.
    OptionTable withHelp(const std::string& name, std::string help) const;

    const Option* find(const std::string& name) const;
    const std::vector<Option>& options() const { return options_; }

    // Every row; a titled section, and an untitled one after it, open with a blank line.
    std::string help() const;

private:
    struct Title {
        size_t before;  // index of the section's first option
        std::string text;
    };
    std::vector<Option> options_;
    std::vector<Title> titles_;  // ascending `before`; an untitled section has empty text
};

OptionTable operator+(OptionTable a, const OptionTable& b);

}  // namespace ddsm::cli
