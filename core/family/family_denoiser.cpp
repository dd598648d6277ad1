#include "family/family_denoiser.h"

#include "base/error.h"
#include "family/macs_counter.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace ddsm {

namespace {

std::string shapeText(c10::IntArrayRef shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// The line of an error message that says what went wrong: c10 messages carry
// backtraces after it, TorchScript interpreter errors a source traceback before it.
std::string essentialLine(const std::string& message)
{
    if (message.rfind("The following operation failed in the TorchScript interpreter", 0) != 0)
        return message.substr(0, message.find('\n'));
    std::string text = message;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text.substr(text.find_last_of('\n') + 1);
}

std::string message(const std::exception& e)
{
    if (const auto* c10Error = dynamic_cast<const c10::Error*>(&e))
        return essentialLine(c10Error->what_without_backtrace());
    return essentialLine(e.what());
}

std::string numberText(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

at::Tensor timestepInput(const at::Tensor& t, const FamilyManifest& manifest, c10::Device device)
{
    return t.to(device, manifest.timestepDtype == "float32" ? torch::kFloat : torch::kLong);
}

// Loads one member and checks it on a dummy batch; returns its module and what it reports.
std::pair<std::shared_ptr<torch::jit::Module>, FamilyMemberInfo> loadMember(const FamilyManifest& manifest,
                                                                            const FamilyMemberSpec& spec,
                                                                            c10::Device device)
{
    const std::string where = manifest.path + ": member \"" + spec.name + "\"";
    if (std::filesystem::is_directory(spec.path))
        throw Error(where + ": " + spec.path + " is a folder, not a file");
    if (!std::filesystem::is_regular_file(spec.path))
        throw Error(where + ": file \"" + spec.file + "\" not found (" + spec.path + ")");
    auto module = std::make_shared<torch::jit::Module>();
    try {
        *module = torch::jit::load(spec.path, device);
    } catch (const std::exception& e) {
        throw Error(where + ": \"" + spec.file + "\" is not a TorchScript module: " + message(e));
    }
    if (!module->find_method("forward"))
        throw Error(where + ": \"" + spec.file + "\" has no forward method");
    module->eval();

    FamilyMemberInfo info;
    info.name = spec.name;
    info.file = spec.file;
    info.path = spec.path;
    info.description = spec.description;
    info.width = spec.width;
    for (const auto& p : module->parameters())
        info.parameters += p.numel();

    constexpr int64_t kBatch = 2;
    const std::vector<int64_t> shape{kBatch, manifest.channels, manifest.imageSize, manifest.imageSize};
    auto generator = at::detail::createCPUGenerator(20231005);
    const auto x = torch::randn(shape, generator, torch::kFloat).to(device);
    const auto t = timestepInput(torch::tensor({int64_t(manifest.diffusion.T - 1), int64_t(0)}), manifest, device);
    torch::NoGradGuard noGrad;
    c10::IValue output;
    double countedMacs = 0;
    int64_t countedOps = 0;
    try {
        MacsCounter counter;
        output = module->forward({x, t});
        countedMacs = counter.macs();
        countedOps = counter.opsCounted();
    } catch (const std::exception& e) {
        throw Error(where + ": forward(x " + shapeText(shape) + ", t) on a dummy batch failed: " + message(e));
    }
    if (!output.isTensor())
        throw Error(where + ": forward returned a " + output.tagKind() + ", expected a tensor " + shapeText(shape));
    const auto eps = output.toTensor();
    if (eps.sizes() != c10::IntArrayRef(shape))
        throw Error(where + ": forward returned shape " + shapeText(eps.sizes()) + " for input " + shapeText(shape) +
                    " (the family's images are " + std::to_string(manifest.channels) + "x" +
                    std::to_string(manifest.imageSize) + "x" + std::to_string(manifest.imageSize) + ")");
    if (!eps.is_floating_point() || !torch::isfinite(eps).all().item<bool>())
        throw Error(where + ": forward returned non-finite or non-float values on a dummy batch");

    if (countedOps > 0) {
        info.macsPerImage = countedMacs / double(kBatch);
        info.costSource = "counted";
    } else if (spec.macs) {
        info.macsPerImage = *spec.macs;
        info.costSource = "manifest";
    } else {
        throw Error(where + ": its cost cannot be counted (no convolution, linear or matmul op ran) and the manifest "
                            "gives no \"macs\"");
    }
    return {module, info};
}

}  // namespace

std::shared_ptr<FamilyDenoiser> FamilyDenoiser::open(const std::string& manifestPath, c10::Device device)
{
    FamilyManifest manifest = loadFamilyManifest(manifestPath);
    std::vector<std::shared_ptr<torch::jit::Module>> modules;
    std::vector<FamilyMemberInfo> infos;
    for (const auto& spec : manifest.members) {
        auto [module, info] = loadMember(manifest, spec, device);
        modules.push_back(std::move(module));
        infos.push_back(std::move(info));
    }
    return std::shared_ptr<FamilyDenoiser>(
        new FamilyDenoiser(std::move(manifest), std::move(modules), std::move(infos), device));
}

FamilyDenoiser::FamilyDenoiser(FamilyManifest manifest, std::vector<std::shared_ptr<torch::jit::Module>> modules,
                               std::vector<FamilyMemberInfo> infos, c10::Device device)
    : manifest_(std::move(manifest)), modules_(std::move(modules)), infos_(std::move(infos)), device_(device)
{
}

FamilyDenoiser::~FamilyDenoiser() = default;

std::vector<double> FamilyDenoiser::widths() const
{
    std::vector<double> widths;
    for (const auto& info : infos_)
        widths.push_back(info.width);
    return widths;
}

size_t FamilyDenoiser::indexOf(double width) const
{
    for (size_t i = 0; i < infos_.size(); ++i)
        if (std::abs(infos_[i].width - width) < 1e-6)
            return i;
    std::string known;
    for (const auto& info : infos_)
        known += (known.empty() ? "" : ", ") + numberText(info.width);
    throw Error("family \"" + manifest_.name + "\" has no member at width " + numberText(width) + " (its widths: " +
                known + ")");
}

const FamilyMemberInfo& FamilyDenoiser::member(double width) const { return infos_[indexOf(width)]; }

std::string FamilyDenoiser::describeWidth(double width) const
{
    const FamilyMemberInfo& info = member(width);
    std::string text = "width " + numberText(width) + ": member \"" + info.name + "\" (" + info.file + ", " +
                       std::to_string(info.parameters) + " parameters";
    if (!info.description.empty())
        text += ", " + info.description;
    return text + "), " + numberText(info.macsPerImage) + " MACs/image (" + info.costSource + ")";
}

at::Tensor FamilyDenoiser::predictEps(const at::Tensor& x, const at::Tensor& t, double width)
{
    const size_t index = indexOf(width);
    torch::NoGradGuard noGrad;
    c10::IValue output;
    try {
        output = modules_[index]->forward({x.to(device_, torch::kFloat), timestepInput(t, manifest_, device_)});
    } catch (const std::exception& e) {
        throw Error("family \"" + manifest_.name + "\", member \"" + infos_[index].name + "\": forward failed: " +
                    message(e));
    }
    if (!output.isTensor() || output.toTensor().sizes() != x.sizes())
        throw Error("family \"" + manifest_.name + "\", member \"" + infos_[index].name +
                    "\": forward did not return a tensor of the input's shape " + shapeText(x.sizes()));
    return output.toTensor();
}

}  // namespace ddsm
