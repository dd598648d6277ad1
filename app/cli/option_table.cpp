#include "option_table.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace ddsm::cli {

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

std::string defaultNote(const Option& option)
{
    if (option.defaultValue.empty() && option.defaultText.empty())
        return "";
    std::string note = "(default";
    if (!option.defaultValue.empty())
        note += " " + option.defaultValue;
    if (!option.defaultText.empty())
        note += ": " + option.defaultText;
    return note + ")";
}

std::string helpRow(const Option& option)
{
    std::string row = "  --" + option.name + (option.value.empty() ? "" : " " + option.value);
    if (option.marked)
        row[1] = '*';
    std::string help = option.help;
    if (const std::string note = defaultNote(option); !note.empty())
        help += (help.empty() || help.back() == '\n' ? "" : " ") + note;
    if (help.empty())
        return row + "\n";
    row.resize(std::max(row.size() + 1, kHelpColumn), ' ');
    size_t start = 0;
    for (;;) {
        const size_t end = help.find('\n', start);
        row += help.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
        if (end == std::string::npos)
            return row;
        start = end + 1;
        row += std::string(kHelpColumn, ' ');
    }
}

OptionTable::OptionTable(std::initializer_list<Option> options) : OptionTable(std::string(), options) {}

OptionTable::OptionTable(std::string title, std::initializer_list<Option> options)
{
    titles_.push_back({0, std::move(title)});
    for (const Option& option : options)
        add(option);
}

OptionTable& OptionTable::add(Option option)
{
    if (find(option.name))
        throw std::logic_error("option --" + option.name + " is declared twice");
    if (titles_.empty())
        titles_.push_back({0, ""});
    options_.push_back(std::move(option));
    return *this;
}

OptionTable& OptionTable::operator+=(const OptionTable& other)
{
    for (const Option& option : other.options_)
        if (find(option.name))
            throw std::logic_error("option --" + option.name + " is declared twice");
    const size_t offset = options_.size();
    options_.insert(options_.end(), other.options_.begin(), other.options_.end());
    for (const Title& title : other.titles_)
        titles_.push_back({offset + title.before, title.text});
    return *this;
}

OptionTable operator+(OptionTable a, const OptionTable& b) { return a += b; }

OptionTable OptionTable::withHelp(const std::string& name, std::string help) const
{
    OptionTable copy = *this;
    for (Option& option : copy.options_)
        if (option.name == name) {
            option.help = std::move(help);
            return copy;
        }
    throw std::logic_error("option --" + name + " is not declared, so its help cannot be replaced");
}

const Option* OptionTable::find(const std::string& name) const
{
    for (const Option& option : options_)
        if (option.name == name)
            return &option;
    return nullptr;
}

std::string OptionTable::help() const
{
    std::string out;
    bool previousTitled = false;
    for (size_t s = 0; s < titles_.size(); ++s) {
        const size_t begin = titles_[s].before;
        const size_t end = s + 1 < titles_.size() ? titles_[s + 1].before : options_.size();
        if (begin == end)
            continue;
        const bool titled = !titles_[s].text.empty();
        if (!out.empty() && (titled || previousTitled))
            out += "\n";
        if (titled)
            out += titles_[s].text + "\n";
        for (size_t i = begin; i < end; ++i)
            out += helpRow(options_[i]);
        previousTitled = titled;
    }
    return out;
}

}  // namespace ddsm::cli
