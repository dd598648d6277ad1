#pragma once
// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 grayscale images of
// clothing in 10 classes, 60,000 for training and 10,000 for testing, as the
// four gzip-compressed IDX files that Debian's package dataset-fashion-mnist
// installs.
#include "data/image_dataset.h"

#include <string>
#include <vector>

namespace ddsm {

inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

enum class FashionMnistSplit { Train, Test };

// The first `limit` images of the split (all when limit < 0), as float32
// [N, 1, 28, 28] in [-1, 1] with int64 labels 0..9. Reads
// {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz, or the same names without
// .gz. Throws ddsm::Error naming a missing file and the Debian package that
// provides it, or any fault of the files themselves.
ImageDataset loadFashionMnist(const std::string& dir = kFashionMnistDefaultDir,
                              FashionMnistSplit split = FashionMnistSplit::Train, int limit = -1);

// "T-shirt/top", "Trouser", ... "Ankle boot", indexed by label.
const std::vector<std::string>& fashionMnistClassNames();

}  // namespace ddsm
