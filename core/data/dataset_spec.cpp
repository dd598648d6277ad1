#include "data/dataset_spec.h"

#include "base/error.h"
#include "data/fashion_mnist.h"

#include <ATen/ATen.h>

#include <filesystem>

namespace ddsm {

namespace {

constexpr std::string_view kFashionMnistName = "fashion-mnist";

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

// Removes `word` from the front of `rest` when it is the whole of it or is
// followed by ':'.
bool consumeWord(std::string_view& rest, std::string_view word)
{
    if (rest == word || startsWith(rest, std::string(word) + ":")) {
        rest.remove_prefix(std::min(rest.size(), word.size() + 1));
        return true;
    }
    return false;
}

// `rest` is what follows "fashion-mnist:": [train|test][:DIR] or DIR.
ImageDataset loadFashionMnistSpec(std::string_view rest, int limit)
{
    FashionMnistSplit split = FashionMnistSplit::Train;
    if (consumeWord(rest, "test"))
        split = FashionMnistSplit::Test;
    else
        consumeWord(rest, "train");
    const std::string dir = rest.empty() ? kFashionMnistDefaultDir : std::string(rest);
    return loadFashionMnist(dir, split, limit);
}

}  // namespace

ImageDataset loadDataset(const std::string& spec, const ImageFolderOptions& options)
{
    if (spec.empty())
        throw Error(std::string("no data set given; expected ") + kDatasetSpecHelp);
    if (spec == kFashionMnistName)
        return loadFashionMnist(kFashionMnistDefaultDir, FashionMnistSplit::Train, options.limit);
    if (startsWith(spec, std::string(kFashionMnistName) + ":"))
        return loadFashionMnistSpec(std::string_view(spec).substr(kFashionMnistName.size() + 1),
                                    options.limit);
    if (!std::filesystem::exists(spec))
        throw Error("data set " + spec + " is neither a folder nor a known name; expected "
                    + kDatasetSpecHelp);
    return loadImageFolder(spec, options);
}

}  // namespace ddsm
