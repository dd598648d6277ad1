#include "metrics/npy_format.h"

#include "base/error.h"

#include <cctype>
#include <map>
#include <variant>

namespace ddsm {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kAlignment = 64;

// Values that occur in a .npy header: strings, booleans and tuples of ints.
using HeaderValue = std::variant<std::string, bool, std::vector<int64_t>>;

// A parser for the one Python dict literal a .npy header holds.
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

    std::map<std::string, HeaderValue> parseDict()
    {
        std::map<std::string, HeaderValue> dict;
        expect('{');
        while (peek() != '}') {
            std::string key = parseString();
            expect(':');
            dict[key] = parseValue();
            if (peek() != ',')
                break;
            expect(',');
        }
        expect('}');
        return dict;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const
    {
        throw Error(origin_ + ": malformed .npy header (" + problem + "): " + std::string(text_));
    }

    char peek()
    {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }

    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    std::string parseString()
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("expected a quoted string");
        const size_t end = text_.find(quote, ++pos_);
        if (end == std::string_view::npos)
            fail("unterminated string");
        std::string s(text_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return s;
    }

    int64_t parseInt()
    {
        peek();
        const size_t start = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        if (pos_ == start || pos_ - start > 18)
            fail("expected a dimension");
        int64_t v = std::stoll(std::string(text_.substr(start, pos_ - start)));
        // Python 2 era files may write dimensions as 3L.
        if (pos_ < text_.size() && text_[pos_] == 'L')
            ++pos_;
        return v;
    }

    HeaderValue parseValue()
    {
        const char c = peek();
        if (c == '\'' || c == '"')
            return parseString();
        if (c == '(') {
            ++pos_;
            std::vector<int64_t> dims;
            while (peek() != ')') {
                dims.push_back(parseInt());
                if (peek() != ',')
                    break;
                expect(',');
            }
            expect(')');
            return dims;
        }
        for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
            const std::string_view w(word);
            if (text_.substr(pos_, w.size()) == w) {
                pos_ += w.size();
                return value;
            }
        }
        fail("unexpected value");
    }

    std::string_view text_;
    const std::string& origin_;
    size_t pos_ = 0;
};

template <typename T>
const T& field(const std::map<std::string, HeaderValue>& dict, const std::string& key,
               const std::string& origin)
{
    const auto it = dict.find(key);
    if (it == dict.end())
        throw Error(origin + ": .npy header has no '" + key + "'");
    const T* value = std::get_if<T>(&it->second);
    if (!value)
        throw Error(origin + ": .npy header field '" + key + "' has the wrong type");
    return *value;
}

std::string shapeLiteral(const std::vector<int64_t>& shape)
{
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

uint32_t readLittleEndian(std::string_view bytes, size_t at, size_t width)
{
    uint32_t v = 0;
    for (size_t i = 0; i < width; ++i)
        v |= uint32_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
}

}  // namespace

int64_t NpyArray::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

size_t npyItemSize(const std::string& descr, const std::string& origin)
{
    if (descr == "<f8" || descr == "<i8")
        return 8;
    if (descr == "<f4" || descr == "<i4")
        return 4;
    if (descr == "|u1")
        return 1;
    if (descr.size() > 2 && descr.compare(0, 2, "<U") == 0 &&
        descr.find_first_not_of("0123456789", 2) == std::string::npos && descr.size() < 12)
        return 4 * std::stoul(descr.substr(2));
    if (!descr.empty() && descr[0] == '>')
        throw Error(origin + ": big-endian data ('" + descr + "') is not supported");
    if (descr.find('O') != std::string::npos)
        throw Error(origin + ": object arrays (pickled Python objects) are not supported");
    throw Error(origin + ": unsupported dtype '" + descr + "'");
}

std::string encodeNpy(const NpyArray& array)
{
    std::string header = "{'descr': '" + array.descr +
                         "', 'fortran_order': False, 'shape': " + shapeLiteral(array.shape) +
                         ", }";
    const size_t prefix = kMagic.size() + 2 + 2;  // magic, version, header length
    const size_t total = (prefix + header.size() + 1 + kAlignment - 1) / kAlignment * kAlignment;
    header.append(total - prefix - header.size() - 1, ' ');
    header += '\n';

    std::string out(kMagic);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    out += header;
    out += array.data;
    return out;
}

NpyArray decodeNpy(std::string_view bytes, const std::string& origin)
{
    if (bytes.substr(0, kMagic.size()) != kMagic)
        throw Error(origin + ": not a .npy array (bad magic string)");
    if (bytes.size() < kMagic.size() + 4)
        throw Error(origin + ": truncated .npy header");
    const int major = static_cast<unsigned char>(bytes[6]);
    if (major < 1 || major > 3)
        throw Error(origin + ": unsupported .npy version " + std::to_string(major));
    const size_t lengthWidth = major == 1 ? 2 : 4;
    const size_t headerStart = kMagic.size() + 2 + lengthWidth;
    if (bytes.size() < headerStart)
        throw Error(origin + ": truncated .npy header");
    const size_t headerLength = readLittleEndian(bytes, kMagic.size() + 2, lengthWidth);
    if (bytes.size() < headerStart + headerLength)
        throw Error(origin + ": truncated .npy header");

    const auto header = HeaderParser(bytes.substr(headerStart, headerLength), origin).parseDict();
    if (field<bool>(header, "fortran_order", origin))
        throw Error(origin + ": Fortran-ordered arrays are not supported "
                             "(save with numpy.ascontiguousarray first)");
    NpyArray array;
    array.descr = field<std::string>(header, "descr", origin);
    array.shape = field<std::vector<int64_t>>(header, "shape", origin);

    const size_t itemSize = npyItemSize(array.descr, origin);
    const std::string_view data = bytes.substr(headerStart + headerLength);
    // Overflow-safe: each dimension is at most 18 digits, so compare by division.
    size_t expected = itemSize;
    for (int64_t d : array.shape) {
        if (d != 0 && expected > data.size() / static_cast<size_t>(d))
            throw Error(origin + ": truncated .npy data: shape " + shapeLiteral(array.shape) +
                        " needs more than the " + std::to_string(data.size()) + " bytes present");
        expected *= static_cast<size_t>(d);
    }
    if (data.size() != expected)
        throw Error(origin + ": .npy data has " + std::to_string(data.size()) +
                    " bytes but shape " + shapeLiteral(array.shape) + " of '" + array.descr +
                    "' needs " + std::to_string(expected) +
                    (data.size() < expected ? " (truncated)" : ""));
    array.data = std::string(data);
    return array;
}

}  // namespace ddsm
