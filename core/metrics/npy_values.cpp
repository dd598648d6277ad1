#include "metrics/npy_values.h"

#include "base/error.h"

#include <ATen/ATen.h>

#include <cstring>

namespace ddsm {
namespace {

void appendUtf32(std::string& out, char32_t c)
{
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((c >> (8 * i)) & 0xff);
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xc0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xe0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    }
}

// Decodes UTF-8; a malformed byte stands for itself (Latin-1), so no input
// is refused and ASCII round-trips exactly.
std::u32string decodeUtf8(const std::string& s)
{
    std::u32string out;
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const int extra = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
        char32_t c = extra == 0 ? b : b & (0x3f >> extra);
        bool ok = i + extra < s.size() || extra == 0;
        for (int k = 1; ok && k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            ok = (next & 0xc0) == 0x80;
            c = (c << 6) | (next & 0x3f);
        }
        if (!ok) {
            out += b;
            ++i;
        } else {
            out += c;
            i += 1 + extra;
        }
    }
    return out;
}

}  // namespace

NpyArray npyFromTensor(const at::Tensor& t)
{
    NpyArray array;
    switch (t.scalar_type()) {
    case at::kDouble: array.descr = "<f8"; break;
    case at::kFloat: array.descr = "<f4"; break;
    case at::kLong: array.descr = "<i8"; break;
    default:
        throw Error("cannot store a tensor of type " +
                    std::string(c10::toString(t.scalar_type())) + " as .npy");
    }
    array.shape.assign(t.sizes().begin(), t.sizes().end());
    const at::Tensor c = t.to(at::kCPU).contiguous();
    array.data.assign(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
    return array;
}

at::Tensor tensorFromNpy(const NpyArray& array, const std::string& origin)
{
    at::ScalarType type;
    if (array.descr == "<f8")
        type = at::kDouble;
    else if (array.descr == "<f4")
        type = at::kFloat;
    else if (array.descr == "<i8")
        type = at::kLong;
    else if (array.descr == "<i4")
        type = at::kInt;
    else if (array.descr == "|u1")
        type = at::kByte;
    else
        throw Error(origin + ": expected a numeric array, got dtype '" + array.descr + "'");
    at::Tensor t = at::empty(array.shape, at::TensorOptions().dtype(type));
    if (array.data.size() != static_cast<size_t>(t.numel()) * t.element_size())
        throw Error(origin + ": array data does not match its shape");
    std::memcpy(t.data_ptr(), array.data.data(), array.data.size());
    return t;
}

NpyArray npyFromString(const std::string& utf8)
{
    const std::u32string text = decodeUtf8(utf8);
    NpyArray array;
    // numpy cannot represent '<U0'; an empty string is stored as '<U1' holding NUL.
    const size_t length = std::max<size_t>(text.size(), 1);
    array.descr = "<U" + std::to_string(length);
    for (char32_t c : text)
        appendUtf32(array.data, c);
    if (text.empty())
        appendUtf32(array.data, 0);
    return array;
}

std::string stringFromNpy(const NpyArray& array, const std::string& origin)
{
    if (array.descr.compare(0, 2, "<U") != 0 || array.elementCount() != 1)
        throw Error(origin + ": expected a single string ('<U' dtype, one element), got '" +
                    array.descr + "' with " + std::to_string(array.elementCount()) + " elements");
    std::string out;
    for (size_t i = 0; i + 4 <= array.data.size(); i += 4) {
        char32_t c = 0;
        for (int k = 0; k < 4; ++k)
            c |= char32_t(static_cast<unsigned char>(array.data[i + k])) << (8 * k);
        if (c == 0)
            break;
        if (c > 0x10ffff)
            throw Error(origin + ": invalid character in string");
        appendUtf8(out, c);
    }
    return out;
}

}  // namespace ddsm
