#include "data/image_folder.h"

#include "base/atomic_file.h"
#include "base/error.h"
#include "data/pixel_scaling.h"

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

namespace ddsm {

namespace {

namespace fs = std::filesystem;

bool hasImageExtension(const fs::path& path)
{
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp";
}

std::vector<fs::path> sortedImageFiles(const fs::path& root)
{
    std::vector<fs::path> files;
    std::error_code error;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error))
        if (it->is_regular_file(error) && hasImageExtension(it->path()))
            files.push_back(it->path());
    if (error)
        throw Error("cannot list image folder " + root.string() + ": " + error.message());
    std::sort(files.begin(), files.end());
    return files;
}

// Decodes to 8-bit RGB or grayscale; an empty Mat when the bytes are not an image.
cv::Mat decodeImage(const fs::path& path, int channels)
{
    const std::string bytes = readWholeFile(path.string());
    cv::Mat bgr;
    try {
        const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8U,
                              const_cast<char*>(bytes.data()));
        bgr = cv::imdecode(encoded, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        return {};
    }
    if (bgr.empty())
        return {};
    // One decode path for all formats, so gray values do not depend on the
    // codec's own colour conversion.
    cv::Mat converted;
    cv::cvtColor(bgr, converted, channels == 1 ? cv::COLOR_BGR2GRAY : cv::COLOR_BGR2RGB);
    return converted;
}

cv::Mat shortSideResizeAndCentreCrop(const cv::Mat& image, int size)
{
    const double scale = double(size) / std::min(image.cols, image.rows);
    int width = std::max(size, static_cast<int>(std::lround(image.cols * scale)));
    int height = std::max(size, static_cast<int>(std::lround(image.rows * scale)));
    (image.cols <= image.rows ? width : height) = size;
    cv::Mat resized = image;
    if (width != image.cols || height != image.rows)
        cv::resize(image, resized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    return resized(cv::Rect((width - size) / 2, (height - size) / 2, size, size));
}

// Appends an HxWxC image as C planes of HxW (the tensor layout).
void appendPlanes(const cv::Mat& image, std::vector<uint8_t>& bytes)
{
    const int channels = image.channels();
    for (int c = 0; c < channels; ++c)
        for (int y = 0; y < image.rows; ++y) {
            const uint8_t* row = image.ptr<uint8_t>(y);
            for (int x = 0; x < image.cols; ++x)
                bytes.push_back(row[x * channels + c]);
        }
}

void checkOptions(const ImageFolderOptions& options)
{
    if (options.image_size <= 0)
        throw Error("image size must be positive, got " + std::to_string(options.image_size));
    if (options.channels != 1 && options.channels != 3)
        throw Error("images must have 1 (grayscale) or 3 (RGB) channels, got "
                    + std::to_string(options.channels));
    if (options.limit == 0)
        throw Error("a limit of 0 images selects nothing (use -1 for all)");
}

// Class of each file = index of its first-level subfolder among all of them.
struct ClassAssignment {
    std::vector<std::string> names;
    std::vector<int64_t> labels;  // one per file
};

ClassAssignment classesFromSubfolders(const fs::path& root, const std::vector<fs::path>& files)
{
    std::vector<std::string> firstComponents;
    for (const fs::path& file : files) {
        const fs::path relative = file.lexically_relative(root);
        if (std::distance(relative.begin(), relative.end()) < 2)
            throw Error(file.string() + " lies directly in " + root.string()
                        + ", not in a class subfolder (labels come from subfolder names)");
        firstComponents.push_back(relative.begin()->string());
    }
    ClassAssignment classes;
    classes.names = firstComponents;
    std::sort(classes.names.begin(), classes.names.end());
    classes.names.erase(std::unique(classes.names.begin(), classes.names.end()), classes.names.end());
    for (const std::string& name : firstComponents)
        classes.labels.push_back(
            std::lower_bound(classes.names.begin(), classes.names.end(), name) - classes.names.begin());
    return classes;
}

// The first few names, enough for a one-line description.
std::string abbreviatedList(const std::vector<std::string>& names)
{
    const size_t shown = std::min<size_t>(names.size(), 8);
    std::string text;
    for (size_t i = 0; i < shown; ++i)
        text += (i ? ", " : "") + names[i];
    return shown < names.size() ? text + ", ..." : text;
}

}  // namespace

ImageDataset loadImageFolder(const std::string& dir, const ImageFolderOptions& options)
{
    checkOptions(options);
    const fs::path root(dir);
    if (!fs::exists(root))
        throw Error("image folder " + dir + " does not exist");
    if (!fs::is_directory(root))
        throw Error(dir + " is not a folder");
    const std::vector<fs::path> files = sortedImageFiles(root);
    if (files.empty())
        throw Error("image folder " + dir + " holds no PNG, JPEG or BMP images (searched recursively)");

    // Classes come from every file, so a limit does not renumber them.
    ClassAssignment classes;
    if (options.labels_from_subfolders)
        classes = classesFromSubfolders(root, files);

    const int size = options.image_size;
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    std::vector<std::string> skipped;
    int64_t count = 0;
    for (size_t i = 0; i < files.size() && (options.limit < 0 || count < options.limit); ++i) {
        cv::Mat image;
        std::string problem;
        try {
            image = decodeImage(files[i], options.channels);
            if (image.empty())
                problem = files[i].string() + " is not a readable PNG, JPEG or BMP image";
        } catch (const Error& e) {
            problem = e.what();
        }
        if (!problem.empty()) {
            if (!options.skip_unreadable)
                throw Error(problem);
            skipped.push_back(files[i].string());
            continue;
        }
        appendPlanes(shortSideResizeAndCentreCrop(image, size), pixels);
        if (options.labels_from_subfolders)
            labels.push_back(classes.labels[i]);
        ++count;
    }
    if (count == 0)
        throw Error("image folder " + dir + ": none of its " + std::to_string(files.size())
                    + " image files could be read");

    ImageDataset dataset;
    dataset.images = scaledPixels(pixels, {count, options.channels, size, size});
    if (options.labels_from_subfolders) {
        dataset.labels = at::tensor(labels, at::kLong);
        dataset.class_names = classes.names;
    }
    dataset.description = "image folder " + dir + ", " + std::to_string(count) + " images "
                          + std::to_string(options.channels) + "x" + std::to_string(size) + "x"
                          + std::to_string(size);
    if (options.labels_from_subfolders)
        dataset.description += ", " + std::to_string(classes.names.size()) + " classes ("
                               + abbreviatedList(classes.names) + ")";
    if (!skipped.empty())
        dataset.description += ", skipped " + std::to_string(skipped.size()) + " unreadable file"
                               + (skipped.size() > 1 ? "s" : "") + " (first: " + skipped.front()
                               + ")";
    return dataset;
}

}  // namespace ddsm
