#include "io/safetensors_header.h"

#include "base/error.h"
#include "base/input_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>

namespace ddsm {

namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = kSafetensorsMetadataKey;
// Real headers are kilobytes; the reference implementation refuses beyond 100 MB too.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct Dtype {
    const char* name;
    uint64_t itemSize;
};

constexpr Dtype kDtypes[] = {
    {"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
    {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1},
};

const Dtype* dtypeByName(const std::string& name)
{
    for (const Dtype& d : kDtypes)
        if (name == d.name)
            return &d;
    return nullptr;
}

std::string inQuotes(const std::string& s) { return "\"" + s + "\""; }

std::string formatShape(const std::vector<int64_t>& shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

std::string formatOffsets(uint64_t begin, uint64_t end)
{
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Errors carry "<path>: " and, where it applies, "tensor \"<name>\": ".
struct Context {
    const std::string& path;
    [[noreturn]] void fail(const std::string& what) const { throw Error(path + ": " + what); }
    [[noreturn]] void failTensor(const std::string& name, const std::string& what) const
    {
        fail("tensor " + inQuotes(name) + ": " + what);
    }
};

// A JSON integer >= 0, or nothing: floats, negatives and non-numbers are refused.
bool asUnsigned(const json& value, uint64_t& out)
{
    if (value.is_number_unsigned()) {
        out = value.get<uint64_t>();
        return true;
    }
    if (value.is_number_integer() && value.get<int64_t>() >= 0) {  // "-0"
        out = 0;
        return true;
    }
    return false;
}

// nlohmann keeps the last of duplicate keys silently; a duplicate tensor name
// would hide a tensor, so duplicates are caught while parsing.
json parseRejectingDuplicates(const Context& ctx, const std::string& text)
{
    std::vector<std::set<std::string>> openObjects;
    std::string topLevelKey;
    auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            openObjects.emplace_back();
            break;
        case json::parse_event_t::object_end:
            openObjects.pop_back();
            break;
        case json::parse_event_t::key: {
            const std::string key = parsed.get<std::string>();
            if (openObjects.size() == 1)
                topLevelKey = key;
            if (!openObjects.back().insert(key).second) {
                if (openObjects.size() == 1)
                    ctx.fail(key == kMetadataKey ? "duplicate \"__metadata__\""
                                                 : "duplicate tensor name " + inQuotes(key));
                ctx.fail("entry " + inQuotes(topLevelKey) + ": duplicate key " + inQuotes(key));
            }
            break;
        }
        default:
            break;
        }
        return true;
    };
    try {
        return json::parse(text, callback);
    } catch (const json::exception& e) {
        ctx.fail(std::string("header is not valid JSON: ") + e.what());
    }
}

std::map<std::string, std::string> parseMetadata(const Context& ctx, const json& value)
{
    if (!value.is_object())
        ctx.fail("\"__metadata__\" is not a JSON object");
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string())
            ctx.fail("\"__metadata__\": value of " + inQuotes(key) + " is not a string");
        metadata[key] = item.get<std::string>();
    }
    return metadata;
}

SafetensorsEntry parseEntry(const Context& ctx, const std::string& name, const json& value,
                            uint64_t bufferBytes)
{
    if (!value.is_object())
        ctx.failTensor(name, "entry is not a JSON object");
    SafetensorsEntry entry;
    entry.name = name;

    const auto dtypeField = value.find("dtype");
    if (dtypeField == value.end() || !dtypeField->is_string())
        ctx.failTensor(name, "missing string field \"dtype\"");
    entry.dtype = dtypeField->get<std::string>();
    const Dtype* dtype = dtypeByName(entry.dtype);
    if (!dtype)
        ctx.failTensor(name, "unknown dtype " + inQuotes(entry.dtype));

    const auto shapeField = value.find("shape");
    if (shapeField == value.end() || !shapeField->is_array())
        ctx.failTensor(name, "missing array field \"shape\"");
    uint64_t byteCount = dtype->itemSize;
    bool overflow = false;
    for (size_t i = 0; i < shapeField->size(); ++i) {
        const json& dim = (*shapeField)[i];
        uint64_t size = 0;
        if (dim.is_number_integer() && !dim.is_number_unsigned() && dim.get<int64_t>() < 0)
            ctx.failTensor(name, "shape " + shapeField->dump() + " has a negative dimension");
        if (!asUnsigned(dim, size))
            ctx.failTensor(name, "shape element " + std::to_string(i) + " (" + dim.dump() +
                                     ") is not a non-negative integer");
        if (size > uint64_t(INT64_MAX))
            ctx.failTensor(name, "shape element " + std::to_string(i) + " (" + dim.dump() +
                                     ") is too large");
        overflow = overflow || __builtin_mul_overflow(byteCount, size, &byteCount);
        entry.shape.push_back(static_cast<int64_t>(size));
    }
    if (overflow || byteCount > uint64_t(INT64_MAX))
        ctx.failTensor(name, "shape " + formatShape(entry.shape) + " of " + entry.dtype +
                                 " overflows the addressable size");

    const auto offsetsField = value.find("data_offsets");
    if (offsetsField == value.end() || !offsetsField->is_array() || offsetsField->size() != 2 ||
        !asUnsigned((*offsetsField)[0], entry.begin) || !asUnsigned((*offsetsField)[1], entry.end))
        ctx.failTensor(name, "\"data_offsets\" is not a pair of non-negative integers");
    const std::string offsets = "data_offsets " + formatOffsets(entry.begin, entry.end);
    if (entry.begin > entry.end)
        ctx.failTensor(name, offsets + " end before they begin");
    if (entry.end - entry.begin != byteCount)
        ctx.failTensor(name, offsets + " do not match shape " + formatShape(entry.shape) + " of " +
                                 entry.dtype + " (" + std::to_string(byteCount) + " bytes)");
    if (entry.end > bufferBytes)
        ctx.failTensor(name, offsets + " run past the end of the data buffer (" +
                                 std::to_string(bufferBytes) + " bytes): file truncated?");
    return entry;
}

// The buffer must be tiled exactly by the tensors, as the reference
// implementation requires: no overlap (aliasing), no gap, no trailing bytes.
void checkLayout(const Context& ctx, std::vector<SafetensorsEntry>& entries, uint64_t bufferBytes)
{
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
    });
    uint64_t cursor = 0;
    const SafetensorsEntry* previous = nullptr;
    for (const SafetensorsEntry& entry : entries) {
        const std::string offsets = "data_offsets " + formatOffsets(entry.begin, entry.end);
        if (entry.begin < cursor)
            ctx.failTensor(entry.name, offsets + " overlap tensor " + inQuotes(previous->name) + " " +
                                           formatOffsets(previous->begin, previous->end));
        if (entry.begin > cursor)
            ctx.failTensor(entry.name, offsets + " leave a gap of " +
                                           std::to_string(entry.begin - cursor) + " bytes after " +
                                           (previous ? "tensor " + inQuotes(previous->name)
                                                     : std::string("the header")));
        cursor = entry.end;
        previous = &entry;
    }
    if (cursor != bufferBytes)
        ctx.fail(std::to_string(bufferBytes - cursor) +
                 " unused bytes after the last tensor in the data buffer");
}

SafetensorsHeader parseHeader(const Context& ctx, const std::string& text, uint64_t bufferBytes)
{
    const json root = parseRejectingDuplicates(ctx, text);
    if (!root.is_object())
        ctx.fail("header is not a JSON object");
    SafetensorsHeader header;
    header.headerBytes = text.size();
    header.bufferBytes = bufferBytes;
    for (const auto& [key, value] : root.items()) {
        if (key == kMetadataKey)
            header.metadata = parseMetadata(ctx, value);
        else
            header.entries.push_back(parseEntry(ctx, key, value, bufferBytes));
    }
    checkLayout(ctx, header.entries, bufferBytes);
    return header;
}

uint64_t readLittleEndian64(const unsigned char* bytes)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

// Opens `path` and validates its header; `in` is left open for reading data.
SafetensorsHeader readHeader(const Context& ctx, std::istream& in, uint64_t fileSize)
{
    if (fileSize == 0)
        ctx.fail("file is empty");
    if (fileSize < 8)
        ctx.fail("file is too short (" + std::to_string(fileSize) +
                 " bytes) to hold the 8-byte header length");
    unsigned char lengthBytes[8];
    in.seekg(0);
    in.read(reinterpret_cast<char*>(lengthBytes), 8);
    if (!in)
        ctx.fail("cannot read the header length");
    const uint64_t headerBytes = readLittleEndian64(lengthBytes);
    // A length beyond the file: another kind of file when the header cannot be
    // a JSON object (its first byte '{', the format's own rule), else a
    // damaged one, said below.
    if ((headerBytes > kMaxHeaderBytes || headerBytes > fileSize - 8) && fileSize > 8) {
        char first = 0;
        in.read(&first, 1);
        if (in && first != '{')
            ctx.fail("not a safetensors file (an 8-byte header length and then a JSON object were expected; "
                     "byte 8 is not '{')");
        in.clear();
    }
    // Sizes are checked before anything is allocated for the header.
    if (headerBytes > kMaxHeaderBytes)
        ctx.fail("header length " + std::to_string(headerBytes) + " exceeds the limit of " +
                 std::to_string(kMaxHeaderBytes) + " bytes");
    if (headerBytes > fileSize - 8)
        ctx.fail("header length " + std::to_string(headerBytes) + " exceeds the file size (" +
                 std::to_string(fileSize) + " bytes): file truncated?");
    if (headerBytes < 2)
        ctx.fail("header length " + std::to_string(headerBytes) + " is too small for a JSON object");
    std::string text(headerBytes, '\0');
    in.seekg(8);
    in.read(text.data(), static_cast<std::streamsize>(headerBytes));
    if (!in)
        ctx.fail("cannot read the header");
    return parseHeader(ctx, text, fileSize - 8 - headerBytes);
}

}  // namespace

uint64_t safetensorsItemSize(const std::string& dtype)
{
    const Dtype* d = dtypeByName(dtype);
    return d ? d->itemSize : 0;
}

SafetensorsHeader readSafetensorsHeader(std::istream& in, uint64_t fileSize, const std::string& path)
{
    return readHeader(Context{path}, in, fileSize);
}

SafetensorsHeader openSafetensors(std::ifstream& in, const std::string& path)
{
    const Context ctx{path};
    rejectFolder(path);
    in.open(path, std::ios::binary | std::ios::ate);
    if (!in)
        ctx.fail(std::string("cannot open: ") + std::strerror(errno));
    const std::streamoff end = in.tellg();
    if (end < 0)
        ctx.fail("cannot determine the file size (is it a regular file?)");
    return readHeader(ctx, in, static_cast<uint64_t>(end));
}

SafetensorsHeader readSafetensorsHeader(const std::string& path)
{
    std::ifstream in;
    return openSafetensors(in, path);
}

std::map<std::string, std::string> readSafetensorsMetadata(const std::string& path)
{
    return readSafetensorsHeader(path).metadata;
}

}  // namespace ddsm
