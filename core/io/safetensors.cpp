#include "io/safetensors.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <ATen/ops/empty.h>
#include <nlohmann/json.hpp>

#include <fstream>

// Tensors are stored little-endian and copied as raw bytes.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian host");

namespace ddsm {

namespace {

using json = nlohmann::json;

constexpr const char* kMetadataKey = kSafetensorsMetadataKey;

// Item sizes are the header reader's (safetensorsItemSize).
struct Dtype {
    const char* name;
    at::ScalarType type;
};

constexpr Dtype kDtypes[] = {
    {"F32", at::kFloat},  {"F64", at::kDouble}, {"F16", at::kHalf}, {"BF16", at::kBFloat16},
    {"I64", at::kLong},   {"I32", at::kInt},    {"I16", at::kShort}, {"I8", at::kChar},
    {"U8", at::kByte},    {"BOOL", at::kBool},
};

const Dtype* dtypeByName(const std::string& name)
{
    for (const Dtype& d : kDtypes)
        if (name == d.name)
            return &d;
    return nullptr;
}

const Dtype* dtypeByType(at::ScalarType type)
{
    for (const Dtype& d : kDtypes)
        if (type == d.type)
            return &d;
    return nullptr;
}

std::string inQuotes(const std::string& s) { return "\"" + s + "\""; }

// Errors carry "<path>: " and, where it applies, "tensor \"<name>\": ".
struct Context {
    const std::string& path;
    [[noreturn]] void fail(const std::string& what) const { throw Error(path + ": " + what); }
    [[noreturn]] void failTensor(const std::string& name, const std::string& what) const
    {
        fail("tensor " + inQuotes(name) + ": " + what);
    }
};

void checkBoolBytes(const Context& ctx, const std::string& name, const at::Tensor& tensor)
{
    const auto* bytes = static_cast<const unsigned char*>(tensor.data_ptr());
    const auto count = static_cast<size_t>(tensor.numel());
    for (size_t i = 0; i < count; ++i)
        if (bytes[i] > 1)
            ctx.failTensor(name, "BOOL value " + std::to_string(bytes[i]) + " at element " +
                                     std::to_string(i) + " is neither 0 nor 1");
}

void appendLittleEndian64(std::string& out, uint64_t value)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

void saveSafetensors(const std::string& path, const NamedTensors& tensors,
                     const std::map<std::string, std::string>& metadata)
{
    const Context ctx{path};
    json header = json::object();
    if (!metadata.empty())
        header[kMetadataKey] = metadata;

    std::vector<at::Tensor> contiguous;
    contiguous.reserve(tensors.size());
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name.empty())
            ctx.fail("empty tensor name");
        if (name == kMetadataKey)
            ctx.fail("\"__metadata__\" cannot be a tensor name");
        if (header.contains(name))
            ctx.fail("duplicate tensor name " + inQuotes(name));
        if (!tensor.defined())
            ctx.failTensor(name, "tensor is undefined");
        const Dtype* dtype = dtypeByType(tensor.scalar_type());
        if (!dtype)
            ctx.failTensor(name, std::string("dtype ") + c10::toString(tensor.scalar_type()) +
                                     " has no safetensors equivalent");
        contiguous.push_back(tensor.detach().cpu().contiguous());
        const auto bytes = static_cast<uint64_t>(contiguous.back().nbytes());
        header[name] = {{"dtype", dtype->name},
                        {"shape", tensor.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }

    std::string text;
    try {
        text = header.dump();
    } catch (const json::exception&) {
        ctx.fail("tensor names and metadata must be valid UTF-8");
    }
    // Padding with spaces aligns the data buffer to 8 bytes, as the reference writer does.
    text.append((8 - text.size() % 8) % 8, ' ');

    std::string bytes;
    bytes.reserve(8 + text.size() + offset);
    appendLittleEndian64(bytes, text.size());
    bytes += text;
    for (const at::Tensor& tensor : contiguous)
        bytes.append(static_cast<const char*>(tensor.data_ptr()), tensor.nbytes());
    writeFileAtomically(path, bytes);
}

SafetensorsFile loadSafetensors(const std::string& path)
{
    const Context ctx{path};
    std::ifstream in;
    SafetensorsHeader header = openSafetensors(in, path);
    const uint64_t dataStart = 8 + header.headerBytes;

    SafetensorsFile file;
    file.metadata = std::move(header.metadata);
    for (const SafetensorsEntry& entry : header.entries) {
        const Dtype* dtype = dtypeByName(entry.dtype);
        at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(dtype->type));
        const uint64_t size = entry.end - entry.begin;
        if (size > 0) {
            in.seekg(static_cast<std::streamoff>(dataStart + entry.begin));
            in.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(size));
            if (!in)
                ctx.failTensor(entry.name, "file ended while reading its data");
        }
        if (dtype->type == at::kBool)
            checkBoolBytes(ctx, entry.name, tensor);
        file.tensors.emplace_back(entry.name, std::move(tensor));
    }
    return file;
}

}  // namespace ddsm
