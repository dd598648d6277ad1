#include "schedule/search_txt.h"

#include "base/error.h"
#include "schedule/width.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

namespace ddsm {

namespace {

// Grammar, with whitespace allowed between tokens:
//   file   := '[' number (',' number)* ','? ']'
//   number := [+-]? (digits ('.' digits?)? | '.' digits) ([eE] [+-]? digits)?
class ListScanner {
public:
    ListScanner(const std::string& text, const std::string& source)
        : text_(text), source_(source)
    {
        if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0)  // UTF-8 byte order mark
            pos_ = column_base_ = 3;
    }

    std::vector<double> parseList()
    {
        skipWhitespace();
        if (peek() != '[')
            fail("expected '[' to open the list");
        advance();
        skipWhitespace();
        if (peek() == ']')
            fail("empty list: expected at least one width");
        if (!startsNumber())
            fail("expected a number");
        std::vector<double> widths;
        for (;;) {
            widths.push_back(parseWidth(widths.size()));
            skipWhitespace();
            if (peek() == ']')
                break;
            if (peek() != ',')
                fail("expected ',' or ']'");
            advance();
            skipWhitespace();
            if (peek() == ']')  // trailing comma
                break;
            if (!startsNumber())
                fail("expected a number or ']'");
        }
        advance();  // ']'
        skipWhitespace();
        if (!atEnd())
            fail("expected nothing after the closing ']'");
        return widths;
    }

private:
    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return atEnd() ? '\0' : text_[pos_]; }
    bool isDigit(size_t at) const
    {
        return at < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at]));
    }
    bool startsNumber() const
    {
        size_t at = pos_;
        if (peek() == '+' || peek() == '-')
            ++at;
        return isDigit(at) || (at < text_.size() && text_[at] == '.' && isDigit(at + 1));
    }

    void advance()
    {
        if (text_[pos_] == '\n') {
            ++line_;
            column_base_ = pos_ + 1;
        }
        ++pos_;
    }
    void skipWhitespace()
    {
        while (!atEnd() && std::isspace(static_cast<unsigned char>(peek())))
            advance();
    }
    void skipDigits()
    {
        while (isDigit(pos_))
            advance();
    }

    std::string position() const
    {
        return source_ + ":" + std::to_string(line_) + ":" + std::to_string(pos_ - column_base_ + 1);
    }
    std::string found() const
    {
        if (atEnd())
            return "end of file";
        const auto c = static_cast<unsigned char>(peek());
        if (c >= 0x20 && c < 0x7F)
            return std::string("'") + peek() + "'";
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", c);
        return std::string("byte ") + hex;
    }
    [[noreturn]] void fail(const std::string& expected) const
    {
        throw Error(position() + ": " + expected + ", found " + found());
    }

    // Called where startsNumber() holds.
    double parseWidth(size_t t)
    {
        const std::string where = position();
        const size_t begin = pos_;
        if (peek() == '+' || peek() == '-')
            advance();
        skipDigits();
        if (peek() == '.') {
            advance();
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            advance();
            if (peek() == '+' || peek() == '-')
                advance();
            if (!isDigit(pos_))
                fail("expected the digits of an exponent");
            skipDigits();
        }
        // from_chars takes a leading '-' but not '+'; it never depends on the locale.
        const size_t digits = text_[begin] == '+' ? begin + 1 : begin;
        double width = 0.0;
        const auto result = std::from_chars(text_.data() + digits, text_.data() + pos_, width);
        const std::string token = text_.substr(begin, pos_ - begin);
        if (result.ec == std::errc::result_out_of_range)
            throw Error(where + ": width " + token + " at t = " + std::to_string(t)
                        + " is out of range, expected a number in (0, 1]");
        if (result.ec != std::errc() || result.ptr != text_.data() + pos_)
            throw Error(where + ": cannot read the number " + token);
        try {
            requireValidWidth(width, "width at t = " + std::to_string(t));
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        }
        return width;
    }

    const std::string& text_;
    const std::string& source_;
    size_t pos_ = 0;
    size_t line_ = 1;
    size_t column_base_ = 0;  // offset of the current line's first byte
};

}  // namespace

StepSchedule scheduleFromSearchTxt(const std::string& text, const std::string& source,
                                   std::optional<int> expected_T)
{
    std::vector<double> widths = ListScanner(text, source).parseList();
    if (expected_T && widths.size() != static_cast<size_t>(*expected_T))
        throw Error(source + ": the list has " + std::to_string(widths.size())
                    + " widths, expected T = " + std::to_string(*expected_T));
    return StepSchedule::fromWidths(std::move(widths));
}

std::string scheduleToSearchTxt(const StepSchedule& schedule)
{
    if (schedule.empty())
        throw Error("schedule: cannot export an empty schedule");
    std::string text = "[";
    for (size_t t = 0; t < schedule.widths().size(); ++t) {
        if (t > 0)
            text += ", ";
        text += formatWidth(schedule.widths()[t]);
    }
    return text + "]\n";
}

}  // namespace ddsm
