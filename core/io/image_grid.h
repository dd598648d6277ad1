#pragma once
// Tensors in the model's value range [-1, 1] to 8-bit OpenCV images for
// previews and exports. Three-channel tensors are RGB; the returned cv::Mat is
// BGR, OpenCV's order, so cv::imwrite and the PNG/MP4 writers show true colours.
#include <ATen/core/Tensor.h>

namespace cv {
class Mat;
}

namespace ddsm {

struct GridOptions {
    int columns = 0;   // 0: ceil(sqrt(batch size))
    int padding = 2;   // pixels between tiles and around the grid, as torchvision's make_grid
    int upscale = 1;   // integer nearest-neighbour enlargement of each tile, for tiny images
    int padValue = 0;  // grey level 0-255 of the padding and of empty cells
};

// A floating batch [B, C, H, W] with C = 1 or 3 laid out row by row in a grid
// of ceil(B / columns) rows. Values are clamped to [-1, 1] (NaN becomes -1) and
// mapped to 0-255. Returns CV_8UC1 for C = 1, CV_8UC3 (BGR) for C = 3.
// Throws ddsm::Error for any other shape, dtype or option.
cv::Mat makeImageGrid(const at::Tensor& batch, const GridOptions& options = {});

// One image [C, H, W] (or [1, C, H, W]) converted as makeImageGrid converts a
// tile, without padding.
cv::Mat tensorToImage(const at::Tensor& image, int upscale = 1);

}  // namespace ddsm
