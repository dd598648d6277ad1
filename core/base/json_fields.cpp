#include "base/json_fields.h"

#include "base/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ddsm {

namespace {

using Json = nlohmann::json;

// Shortest text that reads back as the same double, visibly a float ("1.0").
std::string formatDouble(double x)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    std::string text(buffer, result.ptr);
    if (std::isfinite(x) && text.find_first_of(".e") == std::string::npos)
        text += ".0";
    return text;
}

std::pair<size_t, size_t> lineAndColumn(const std::string& text, size_t offset)
{
    offset = std::min(offset, text.size());
    size_t line = 1;
    size_t lineStart = 0;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return {line, offset - lineStart + 1};
}

// A float that holds a whole number in [lo, hi + 1): hi + 1 is a power of two,
// exact as a double even where hi itself is not (2^63 - 1).
bool wholeWithin(double x, double lo, double hiPlusOne)
{
    return std::isfinite(x) && x == std::floor(x) && x >= lo && x < hiPlusOne;
}

}  // namespace

std::string describeJson(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::string: {
        std::string text = value.get<std::string>();
        if (text.size() > 40)
            text = text.substr(0, 40) + "...";
        return "the string " + Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    case Json::value_t::array:
        return "an array";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::number_float:
        return formatDouble(value.get<double>());
    default:
        return value.dump();  // integers, booleans, null
    }
}

Json parseJson(const std::string& text, const std::string& source)
{
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        // nlohmann's message starts "[json.exception.parse_error.101] parse
        // error at line L, column C: "; keep only the explanation after it.
        std::string reason = e.what();
        const size_t tag = reason.find("parse error");
        const size_t colon = tag == std::string::npos ? tag : reason.find(": ", tag);
        if (colon != std::string::npos)
            reason = reason.substr(colon + 2);
        std::string where = source;
        if (e.byte > 0) {
            // e.byte counts the characters read, the offending one included.
            const auto [line, column] = lineAndColumn(text, e.byte - 1);
            where += ":" + std::to_string(line) + ":" + std::to_string(column);
        }
        throw Error(where + ": malformed JSON: " + reason +
                    (e.byte > 0 ? " (byte " + std::to_string(e.byte) + ")" : ""));
    } catch (const Json::exception& e) {
        // Other lexer failures, e.g. a number too large for a double, come
        // without a position.
        std::string reason = e.what();
        const size_t tagEnd = reason.find("] ");
        if (reason.rfind("[json.exception.", 0) == 0 && tagEnd != std::string::npos)
            reason = reason.substr(tagEnd + 2);
        throw Error(source + ": malformed JSON: " + reason);
    }
}

void JsonFields::fail(const std::string& message) const
{
    throw Error(source_ + ": " + message);
}

void JsonFields::failField(const std::string& field, const std::string& problem) const
{
    fail("field \"" + field + "\" " + problem);
}

const Json* JsonFields::find(const Json& object, const char* key) const
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const Json& JsonFields::require(const Json& object, const std::string& prefix, const char* key) const
{
    const Json* value = find(object, key);
    if (!value)
        failField(prefix + key, "is missing");
    return *value;
}

void JsonFields::requireObject(const Json& value, const std::string& field) const
{
    if (!value.is_object())
        failField(field, "is " + describeJson(value) + ", expected an object");
}

void JsonFields::requireArray(const Json& value, const std::string& field) const
{
    if (!value.is_array())
        failField(field, "is " + describeJson(value) + ", expected an array");
}

std::string JsonFields::string(const Json& value, const std::string& field) const
{
    if (!value.is_string())
        failField(field, "is " + describeJson(value) + ", expected a string");
    return value.get<std::string>();
}

bool JsonFields::boolean(const Json& value, const std::string& field) const
{
    if (!value.is_boolean())
        failField(field, "is " + describeJson(value) + ", expected true or false");
    return value.get<bool>();
}

double JsonFields::number(const Json& value, const std::string& field) const
{
    if (!value.is_number())
        failField(field, "is " + describeJson(value) + ", expected a number");
    const double x = value.get<double>();
    if (!std::isfinite(x))
        failField(field, "is " + formatDouble(x) + ", not a finite number");
    return x;
}

long long JsonFields::wholeSigned(const Json& value, const std::string& field, long long lo,
                                  long long hi) const
{
    const auto outOfRange = [&]() {
        failField(field, "is " + describeJson(value) + ", expected an integer in " +
                             std::to_string(lo) + ".." + std::to_string(hi));
    };
    if (value.is_number_unsigned()) {
        if (value.get<uint64_t>() > static_cast<unsigned long long>(hi))
            outOfRange();
        return static_cast<long long>(value.get<uint64_t>());
    }
    if (value.is_number_integer()) {
        const int64_t n = value.get<int64_t>();
        if (n < lo || n > hi)
            outOfRange();
        return n;
    }
    if (value.is_number_float()) {
        const double x = value.get<double>();
        if (x != std::floor(x) || !std::isfinite(x))
            failField(field, "is " + describeJson(value) + ", expected an integer");
        if (!wholeWithin(x, double(lo), double(hi) + 1.0))
            outOfRange();
        return static_cast<long long>(x);
    }
    failField(field, "is " + describeJson(value) + ", expected an integer");
}

unsigned long long JsonFields::wholeUnsigned(const Json& value, const std::string& field,
                                             unsigned long long hi) const
{
    const auto outOfRange = [&]() {
        failField(field, "is " + describeJson(value) + ", expected an integer in 0.." + std::to_string(hi));
    };
    const auto negative = [&]() {
        failField(field, "is " + describeJson(value) + ", expected a non-negative integer");
    };
    if (value.is_number_unsigned()) {
        if (value.get<uint64_t>() > hi)
            outOfRange();
        return value.get<uint64_t>();
    }
    if (value.is_number_integer()) {  // signed storage: parsed negatives, or built in memory
        const int64_t n = value.get<int64_t>();
        if (n < 0)
            negative();
        if (static_cast<unsigned long long>(n) > hi)
            outOfRange();
        return static_cast<unsigned long long>(n);
    }
    if (value.is_number_float()) {
        const double x = value.get<double>();
        if (x != std::floor(x) || !std::isfinite(x))
            failField(field, "is " + describeJson(value) + ", expected an integer");
        if (x < 0)
            negative();
        if (!wholeWithin(x, 0.0, double(hi) + 1.0))
            outOfRange();
        return static_cast<unsigned long long>(x);
    }
    failField(field, "is " + describeJson(value) + ", expected an integer");
}

long long JsonFields::integerIn(const Json& value, const std::string& field, long long lo, long long hi,
                                const std::string& rangeText) const
{
    // A whole number beyond the range, even beyond long long, names the range.
    if (value.is_number()) {
        const double x = value.get<double>();
        if (x == std::floor(x) && (x < double(lo) || x > double(hi)))
            failField(field, "is " + describeJson(value) + ", expected " + rangeText);
    }
    const long long n = wholeSigned(value, field, std::numeric_limits<long long>::min(),
                                    std::numeric_limits<long long>::max());
    if (n < lo || n > hi)
        failField(field, "is " + std::to_string(n) + ", expected " + rangeText);
    return n;
}

}  // namespace ddsm
