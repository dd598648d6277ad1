#pragma once
// A folder of PNG, JPEG or BMP files (searched recursively) as a data set of
// equal-sized square images, in sorted path order so that every run sees the
// same data in the same order.
#include "data/image_dataset.h"

#include <string>

namespace ddsm {

struct ImageFolderOptions {
    // Each image's short side is resized to image_size (area interpolation),
    // then the centre image_size x image_size square is kept.
    int image_size = 32;
    // 1: grayscale (BT.601 luma), 3: RGB. Alpha channels are dropped.
    int channels = 3;
    // At most this many images, the first in sorted path order; -1 for all.
    int limit = -1;
    // Label each image with the index of its first-level subfolder, in sorted
    // order of the subfolder names (cats/x.png -> 0, dogs/y.png -> 1).
    bool labels_from_subfolders = false;
    // Skip files that cannot be read or decoded (the description counts them)
    // instead of failing on the first one.
    bool skip_unreadable = false;
};

// Throws ddsm::Error for a missing or empty folder, invalid options, an
// unreadable image (naming it, unless skipped), or an image outside any class
// subfolder when labels come from subfolders.
ImageDataset loadImageFolder(const std::string& dir, const ImageFolderOptions& options = {});

}  // namespace ddsm
