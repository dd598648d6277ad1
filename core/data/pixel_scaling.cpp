#include "data/pixel_scaling.h"

#include "base/error.h"

#include <ATen/ATen.h>

namespace ddsm {

at::Tensor scaledPixels(const std::vector<uint8_t>& bytes, std::vector<int64_t> sizes)
{
    int64_t count = 1;
    for (const int64_t s : sizes)
        count *= s;
    if (count != static_cast<int64_t>(bytes.size()))
        throw Error("internal: " + std::to_string(bytes.size()) + " pixel bytes for a tensor of "
                    + std::to_string(count) + " elements");
    // A table computed in double and rounded once keeps 0 -> -1 and 255 -> 1
    // exact, whatever vectorised arithmetic ATen would use for a division.
    float table[256];
    for (int p = 0; p < 256; ++p)
        table[p] = static_cast<float>(p / 127.5 - 1.0);
    at::Tensor images = at::empty(sizes, at::kFloat);
    float* out = images.data_ptr<float>();
    for (size_t i = 0; i < bytes.size(); ++i)
        out[i] = table[bytes[i]];
    return images;
}

at::Tensor labelTensor(const std::vector<uint8_t>& bytes)
{
    const at::Tensor raw = at::from_blob(const_cast<uint8_t*>(bytes.data()),
                                         {static_cast<int64_t>(bytes.size())}, at::kByte);
    return raw.to(at::kLong);
}

}  // namespace ddsm
