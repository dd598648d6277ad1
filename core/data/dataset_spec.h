#pragma once
// One string names a data set on the command line and in project files:
//   fashion-mnist                    Fashion-MNIST train split, Debian's copy
//   fashion-mnist:test               the test split
//   fashion-mnist:/some/dir          train split from another folder
//   fashion-mnist:test:/some/dir     test split from another folder
//   /path/to/images                  a folder of PNG/JPEG/BMP images
#include "data/image_folder.h"

#include <string>

namespace ddsm {

inline constexpr const char* kDatasetSpecHelp =
    "fashion-mnist[:train|:test][:DIR] or a folder of PNG/JPEG/BMP images";

// `options.limit` applies to every kind of data set; the other options only
// to image folders (Fashion-MNIST stays 1x28x28). Throws ddsm::Error.
ImageDataset loadDataset(const std::string& spec, const ImageFolderOptions& options = {});

}  // namespace ddsm
