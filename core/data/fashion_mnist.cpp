#include "data/fashion_mnist.h"

#include "base/error.h"
#include "base/input_file.h"
#include "data/idx_file.h"
#include "data/pixel_scaling.h"

#include <ATen/ATen.h>

#include <filesystem>

namespace ddsm {

namespace {

namespace fs = std::filesystem;

const char* const kPackageHint =
    "Debian's package dataset-fashion-mnist provides it (apt install dataset-fashion-mnist)";

// Prefers the compressed file, as distributed; accepts an unpacked copy.
std::string locate(const fs::path& dir, const std::string& name)
{
    const fs::path compressed = dir / (name + ".gz");
    if (fs::is_regular_file(compressed))
        return compressed.string();
    const fs::path raw = dir / name;
    if (fs::is_regular_file(raw))
        return raw.string();
    rejectFolder(compressed.string());
    rejectFolder(raw.string());
    throw Error("Fashion-MNIST file " + compressed.string() + " is missing; " + kPackageHint);
}

}  // namespace

const std::vector<std::string>& fashionMnistClassNames()
{
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                                   "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                                   "Bag",         "Ankle boot"};
    return names;
}

ImageDataset loadFashionMnist(const std::string& dir, FashionMnistSplit split, int limit)
{
    if (limit == 0)
        throw Error("a limit of 0 images selects nothing (use -1 for all)");
    if (!fs::is_directory(dir))
        throw Error("Fashion-MNIST folder " + dir + " does not exist; " + kPackageHint);

    const bool train = split == FashionMnistSplit::Train;
    const std::string prefix = train ? "train" : "t10k";
    // Located one after the other so that a missing images file is reported first.
    const std::string imagesPath = locate(dir, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = locate(dir, prefix + "-labels-idx1-ubyte");
    IdxLabelledImages idx = readIdxLabelledImages(imagesPath, labelsPath);

    const int64_t available = idx.images.count;
    const int64_t count = limit < 0 ? available : std::min<int64_t>(limit, available);
    const int64_t pixelsPerImage = idx.images.rows * idx.images.cols;
    idx.images.pixels.resize(count * pixelsPerImage);
    idx.labels.labels.resize(count);

    const size_t classCount = fashionMnistClassNames().size();
    for (size_t i = 0; i < idx.labels.labels.size(); ++i)
        if (idx.labels.labels[i] >= classCount)
            throw Error("Fashion-MNIST label " + std::to_string(idx.labels.labels[i]) + " of item "
                        + std::to_string(i) + " in " + dir + " is outside 0.."
                        + std::to_string(classCount - 1));

    ImageDataset dataset;
    dataset.images = scaledPixels(idx.images.pixels, {count, 1, idx.images.rows, idx.images.cols});
    dataset.labels = labelTensor(idx.labels.labels);
    dataset.class_names = fashionMnistClassNames();
    dataset.description = std::string("Fashion-MNIST ") + (train ? "train" : "test") + ", "
                          + std::to_string(count)
                          + (count < available ? " of " + std::to_string(available) : "")
                          + " images 1x" + std::to_string(idx.images.rows) + "x"
                          + std::to_string(idx.images.cols) + ", " + dir;
    return dataset;
}

}  // namespace ddsm
