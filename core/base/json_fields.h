#pragma once
// Checked reading of JSON documents, shared by every format the product reads.
// Each error names the source (usually the file), the field path and what was
// expected, e.g.
//   run/ckpt.safetensors: field "sampler.steps" is the string "5", expected an integer
// nlohmann's own conversions would instead throw messages naming neither the
// file nor the field, and converting 1e42 to int is undefined behaviour:
// whole numbers are range-checked here before they are converted.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace ddsm {

// A short description of a value for messages: the string "abc", an array,
// an object, 2.5, 3, true, null.
std::string describeJson(const nlohmann::json& value);

// Parses `text`; a syntax error names the source, line and column:
//   "schedule.json:4:5: malformed JSON: syntax error ... (byte 51)".
nlohmann::json parseJson(const std::string& text, const std::string& source);

class JsonFields {
public:
    // `source` starts every message; the reader keeps its own copy.
    explicit JsonFields(std::string source) : source_(std::move(source)) {}

    const std::string& source() const { return source_; }

    [[noreturn]] void fail(const std::string& message) const;
    // "SOURCE: field "FIELD" PROBLEM"
    [[noreturn]] void failField(const std::string& field, const std::string& problem) const;

    // The member `key` of `object`, or nullptr when absent. `object` must
    // already be known to be an object.
    const nlohmann::json* find(const nlohmann::json& object, const char* key) const;
    // As find, but a missing member names the field `prefix + key`.
    const nlohmann::json& require(const nlohmann::json& object, const std::string& prefix,
                                  const char* key) const;

    void requireObject(const nlohmann::json& value, const std::string& field) const;
    void requireArray(const nlohmann::json& value, const std::string& field) const;

    std::string string(const nlohmann::json& value, const std::string& field) const;
    bool boolean(const nlohmann::json& value, const std::string& field) const;
    // A finite number.
    double number(const nlohmann::json& value, const std::string& field) const;
    // A whole number (3 or 3.0, not 2.5) within Int's range.
    template <class Int>
    Int integer(const nlohmann::json& value, const std::string& field) const
    {
        static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
        if constexpr (std::is_signed_v<Int>)
            return static_cast<Int>(wholeSigned(value, field, std::numeric_limits<Int>::min(),
                                                std::numeric_limits<Int>::max()));
        else
            return static_cast<Int>(wholeUnsigned(value, field, std::numeric_limits<Int>::max()));
    }
    // A whole number in [lo, hi]; `rangeText` says what was expected ("1..T = 1..10").
    long long integerIn(const nlohmann::json& value, const std::string& field, long long lo,
                        long long hi, const std::string& rangeText) const;

    // Any of the above, or a vector of them (field "widths[3]" for an element).
    template <class T>
    T as(const nlohmann::json& value, const std::string& field) const
    {
        if constexpr (std::is_same_v<T, bool>) {
            return boolean(value, field);
        } else if constexpr (std::is_integral_v<T>) {
            return integer<T>(value, field);
        } else if constexpr (std::is_floating_point_v<T>) {
            return static_cast<T>(number(value, field));
        } else if constexpr (std::is_same_v<T, std::string>) {
            return string(value, field);
        } else {
            static_assert(std::is_same_v<T, std::vector<typename T::value_type>>, "unsupported field type");
            requireArray(value, field);
            T out;
            out.reserve(value.size());
            for (size_t i = 0; i < value.size(); ++i)
                out.push_back(as<typename T::value_type>(value[i], field + "[" + std::to_string(i) + "]"));
            return out;
        }
    }

    // The member `key` of `object` read as T; a missing member is an error.
    template <class T>
    T get(const nlohmann::json& object, const std::string& prefix, const char* key) const
    {
        return as<T>(require(object, prefix, key), prefix + key);
    }
    // The member `key` of `object` read as T, or `fallback` when absent.
    template <class T>
    T getOr(const nlohmann::json& object, const std::string& prefix, const char* key, const T& fallback) const
    {
        const nlohmann::json* value = find(object, key);
        return value ? as<T>(*value, prefix + key) : fallback;
    }

private:
    long long wholeSigned(const nlohmann::json& value, const std::string& field, long long lo,
                          long long hi) const;
    unsigned long long wholeUnsigned(const nlohmann::json& value, const std::string& field,
                                     unsigned long long hi) const;

    std::string source_;
};

}  // namespace ddsm
