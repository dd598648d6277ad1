#include "io/image_grid.h"

#include "base/error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <string>

namespace ddsm {

namespace {

// Generous bound on an output side; it keeps every size computation in int.
constexpr int64_t kMaxSide = 1 << 15;

uchar toByte(float value)
{
    if (!(value >= -1.0f))  // also catches NaN
        return 0;
    if (value >= 1.0f)
        return 255;
    return static_cast<uchar>((value + 1.0f) * 127.5f + 0.5f);
}

// Checks a [B, C, H, W] batch and returns it as contiguous float on the CPU.
at::Tensor prepareBatch(const at::Tensor& batch, const char* what)
{
    if (!batch.defined())
        throw Error(std::string(what) + ": tensor is undefined");
    if (batch.dim() != 4 || (batch.size(1) != 1 && batch.size(1) != 3) || batch.size(0) < 1 ||
        batch.size(2) < 1 || batch.size(3) < 1) {
        std::string shape;
        for (int64_t size : batch.sizes())
            shape += (shape.empty() ? "" : ", ") + std::to_string(size);
        throw Error(std::string(what) + ": expected shape [B, 1 or 3, H, W], got [" + shape + "]");
    }
    if (!at::isFloatingType(batch.scalar_type()))
        throw Error(std::string(what) + ": expected a floating-point tensor, got " +
                    c10::toString(batch.scalar_type()));
    return batch.detach().cpu().to(at::kFloat).contiguous();
}

// Draws image `index` of the float batch at (top, left), enlarged `upscale` times.
void drawTile(const at::Tensor& batch, int64_t index, int upscale, cv::Mat& canvas, int top,
              int left)
{
    const int64_t channels = batch.size(1), height = batch.size(2), width = batch.size(3);
    const float* pixels = batch.data_ptr<float>() + index * channels * height * width;
    for (int64_t y = 0; y < height * upscale; ++y) {
        uchar* row = canvas.ptr<uchar>(top + static_cast<int>(y));
        for (int64_t x = 0; x < width * upscale; ++x) {
            const int64_t source = (y / upscale) * width + x / upscale;
            uchar* out = row + (left + x) * channels;
            // RGB in the tensor, BGR in the image.
            for (int64_t c = 0; c < channels; ++c)
                out[channels - 1 - c] = toByte(pixels[c * height * width + source]);
        }
    }
}

void checkSide(int64_t side, const char* what)
{
    if (side > kMaxSide)
        throw Error(std::string(what) + ": output of " + std::to_string(side) +
                    " pixels per side is too large");
}

}  // namespace

cv::Mat makeImageGrid(const at::Tensor& batch, const GridOptions& options)
{
    const char* what = "image grid";
    if (options.columns < 0 || options.padding < 0 || options.upscale < 1 ||
        options.padValue < 0 || options.padValue > 255)
        throw Error("image grid: columns and padding must be >= 0, upscale >= 1, padValue 0-255");
    const at::Tensor images = prepareBatch(batch, what);
    const int64_t count = images.size(0);
    int64_t columns = std::min<int64_t>(options.columns, count);
    if (columns == 0)
        while (columns * columns < count)  // ceil(sqrt(count)) without rounding trouble
            ++columns;
    const int64_t rows = (count + columns - 1) / columns;
    const int64_t tileHeight = images.size(2) * options.upscale;
    const int64_t tileWidth = images.size(3) * options.upscale;
    const int64_t padding = options.padding;
    checkSide(tileHeight, what);
    checkSide(tileWidth, what);
    const int64_t height = rows * (tileHeight + padding) + padding;
    const int64_t width = columns * (tileWidth + padding) + padding;
    checkSide(height, what);
    checkSide(width, what);

    const int type = images.size(1) == 3 ? CV_8UC3 : CV_8UC1;
    cv::Mat grid(static_cast<int>(height), static_cast<int>(width), type,
                 cv::Scalar::all(options.padValue));
    for (int64_t i = 0; i < count; ++i) {
        const int64_t top = padding + (i / columns) * (tileHeight + padding);
        const int64_t left = padding + (i % columns) * (tileWidth + padding);
        drawTile(images, i, options.upscale, grid, static_cast<int>(top), static_cast<int>(left));
    }
    return grid;
}

cv::Mat tensorToImage(const at::Tensor& image, int upscale)
{
    const char* what = "image";
    if (upscale < 1)
        throw Error("image: upscale must be >= 1");
    if (image.defined() && image.dim() == 3)
        return tensorToImage(image.unsqueeze(0), upscale);
    const at::Tensor batch = prepareBatch(image, what);
    if (batch.size(0) != 1)
        throw Error("image: expected one image, got a batch of " + std::to_string(batch.size(0)));
    checkSide(batch.size(2) * upscale, what);
    checkSide(batch.size(3) * upscale, what);
    cv::Mat out(static_cast<int>(batch.size(2) * upscale), static_cast<int>(batch.size(3) * upscale),
                batch.size(1) == 3 ? CV_8UC3 : CV_8UC1);
    drawTile(batch, 0, upscale, out, 0, 0);
    return out;
}

}  // namespace ddsm
