#include "workspace_json.h"

#include "base/error.h"
#include "schedule/schedule_json.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace ddsm::ui {

namespace {

using nlohmann::json;

std::string describe(const json& value)
{
    if (value.is_string()) {
        const std::string text = value.get<std::string>();
        return "the string " + json(text.size() > 40 ? text.substr(0, 40) + "..." : text).dump();
    }
    if (value.is_array())
        return "an array";
    if (value.is_object())
        return "an object";
    return value.dump();  // numbers, booleans, null
}

// Checked reads of the document's fields; each error names the file and field.
class Fields {
public:
    explicit Fields(const std::string& where) : where_(where) {}

    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }
    [[noreturn]] void wrong(const std::string& field, const json& value, const std::string& expected) const
    {
        fail("field \"" + field + "\" is " + describe(value) + ", expected " + expected);
    }

    std::string string(const json& value, const std::string& field) const
    {
        if (!value.is_string())
            wrong(field, value, "a string");
        return value.get<std::string>();
    }
    bool boolean(const json& value, const std::string& field) const
    {
        if (!value.is_boolean())
            wrong(field, value, "true or false");
        return value.get<bool>();
    }
    double number(const json& value, const std::string& field) const
    {
        if (!value.is_number() || !std::isfinite(value.get<double>()))
            wrong(field, value, "a number");
        return value.get<double>();
    }
    // A whole number (3 or 3.0) in [lo, hi], checked before any conversion.
    template <class Int>
    Int whole(const json& value, const std::string& field) const
    {
        const Int lo = std::numeric_limits<Int>::min(), hi = std::numeric_limits<Int>::max();
        const std::string range = "a whole number in " + std::to_string(lo) + ".." + std::to_string(hi);
        if (value.is_number_unsigned()) {
            if (value.get<uint64_t>() > uint64_t(hi))
                wrong(field, value, range);
            return static_cast<Int>(value.get<uint64_t>());
        }
        if (value.is_number_integer()) {
            const int64_t v = value.get<int64_t>();
            if (v < 0 && (lo == 0 || v < int64_t(lo)))
                wrong(field, value, range);
            if (v >= 0 && uint64_t(v) > uint64_t(hi))
                wrong(field, value, range);
            return static_cast<Int>(v);
        }
        if (!value.is_number_float())
            wrong(field, value, range);
        // 2^64 and -2^63 are exact doubles: the comparisons below are exact too.
        const double d = value.get<double>();
        if (!(d == std::floor(d)) || d < double(lo) || d >= std::ldexp(double(hi / 2 + 1), 1))
            wrong(field, value, range);
        return static_cast<Int>(d);
    }

private:
    const std::string& where_;
};

}  // namespace

std::string workspaceToJson(const Workspace& w)
{
    json document{{"format", kWorkspaceFormat},
                  {"version", kWorkspaceVersion},
                  {"model", w.modelPath.toStdString()},
                  {"sampler",
                   {{"kind", w.sampler.kind},
                    {"steps", w.sampler.steps},
                    {"eta", w.sampler.eta},
                    {"seed", w.sampler.seed},
                    {"count", w.sampler.count}}},
                  {"show_x0", w.showX0},
                  {"layout", w.layout.toBase64().toStdString()}};
    if (w.schedule)
        document["schedule"] = json::parse(scheduleToJson(*w.schedule));
    return document.dump(2) + "\n";
}

Workspace workspaceFromJson(const std::string& text, const std::string& where)
{
    const Fields in(where);
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception& e) {  // a syntax error, or a number beyond a double
        in.fail(std::string("not valid JSON (") + e.what() + ")");
    }
    const auto format = document.is_object() ? document.find("format") : document.end();
    if (!document.is_object() || format == document.end() || *format != kWorkspaceFormat)
        in.fail("not a DDSM Studio workspace (\"format\" is not \"ddsm-workspace\")");
    if (document.contains("version")) {
        const int version = in.whole<int>(document["version"], "version");
        if (version > kWorkspaceVersion)
            in.fail("workspace version " + std::to_string(version) + " is newer than this program reads ("
                    + std::to_string(kWorkspaceVersion) + ")");
    }

    Workspace w;
    if (document.contains("model"))
        w.modelPath = QString::fromStdString(in.string(document["model"], "model"));
    if (document.contains("schedule"))
        w.schedule = scheduleFromJson(document["schedule"].dump(), where + " (schedule)");
    if (document.contains("sampler")) {
        const json& s = document["sampler"];
        if (!s.is_object())
            in.wrong("sampler", s, "an object");
        if (s.contains("kind"))
            w.sampler.kind = in.string(s["kind"], "sampler.kind");
        if (s.contains("steps"))
            w.sampler.steps = in.whole<int>(s["steps"], "sampler.steps");
        if (s.contains("eta"))
            w.sampler.eta = in.number(s["eta"], "sampler.eta");
        if (s.contains("seed"))
            w.sampler.seed = in.whole<uint64_t>(s["seed"], "sampler.seed");
        if (s.contains("count"))
            w.sampler.count = in.whole<int>(s["count"], "sampler.count");
    }
    if (document.contains("show_x0"))
        w.showX0 = in.boolean(document["show_x0"], "show_x0");
    if (document.contains("layout"))
        w.layout = QByteArray::fromBase64(QByteArray::fromStdString(in.string(document["layout"], "layout")));
    return w;
}

}  // namespace ddsm::ui
