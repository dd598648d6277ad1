#include "family/open_denoiser.h"

#include "base/error.h"
#include "base/input_file.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "family/family_denoiser.h"
#include "family/family_manifest.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ddsm {

namespace {

std::string leadingBytes(const std::string& path, size_t count)
{
    std::ifstream in(path, std::ios::binary);
    std::string bytes(count, '\0');
    in.read(bytes.data(), std::streamsize(count));
    bytes.resize(size_t(in.gcount()));
    return bytes;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::shared_ptr<Denoiser> openDenoiser(const std::string& path, c10::Device device)
{
    rejectFolder(path);
    if (!std::filesystem::is_regular_file(path))
        throw Error(path + ": no such file");
    const std::string extension = std::filesystem::path(path).extension().string();
    if (extension == ".safetensors")
        return openSlimmableDenoiser(path, device);
    const std::string head = leadingBytes(path, 4);
    if (head.rfind("PK\x03\x04", 0) == 0 || extension == ".pt" || extension == ".pth" || extension == ".ckpt")
        throw Error(path + ": a PyTorch file, which DDSM Studio does not open directly: convert a checkpoint of the "
                           "paper's code with `ddsm import-checkpoint`, or list TorchScript networks in a family "
                           "manifest (.json)");
    if (extension == ".json") {
        const std::string text = readText(path);
        if (looksLikeFamilyManifest(text))
            return FamilyDenoiser::open(path, device);
        if (text.find("\"ddsm-net-config\"") != std::string::npos)
            throw Error(path + ": an architecture config, not trained weights (use --init random --config " + path +
                        " for an untrained network)");
        throw Error(path + ": not a family manifest (expected \"format\": \"ddsm-family\")");
    }
    throw Error(path + ": unknown kind of file: expected a model file (.safetensors) or a family manifest (.json)");
}

std::string describeWidth(const Denoiser& denoiser, double width)
{
    if (const auto* family = dynamic_cast<const FamilyDenoiser*>(&denoiser))
        return family->describeWidth(width);
    char text[160];
    std::snprintf(text, sizeof text, "width %g: prefix-sliced sub-network of \"%s\", %g MACs/image (counted)", width,
                  denoiser.name().c_str(), denoiser.macsPerImage(width));
    return text;
}

}  // namespace ddsm
