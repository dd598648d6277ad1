// Opening a model file on the worker thread and summarising it for the interface.
#include "model_jobs.h"

#include "api/ddsm_api.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/open_denoiser.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace ddsm::ui {

namespace {

bool isPaperCheckpoint(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("pt") || suffix == QLatin1String("pth") || suffix == QLatin1String("ckpt");
}

// A checkpoint of the paper's training code becomes a model file in the cache
// first (EMA weights, architecture inferred), as `ddsm import-checkpoint` does.
std::string importedModelPath(const QString& checkpoint)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/imported");
    QDir().mkpath(dir);
    const std::string out =
        (dir + QLatin1Char('/') + QFileInfo(checkpoint).completeBaseName() + QStringLiteral(".safetensors")).toStdString();
    api::ImportOptions options;
    options.checkpoint = checkpoint.toStdString();
    options.out = out;
    api::importCheckpoint(options);
    return out;
}

}  // namespace

OpenedModel openModelFile(const QString& path)
{
    const std::string file = isPaperCheckpoint(path) ? importedModelPath(path) : path.toStdString();
    auto denoiser = openDenoiser(file, c10::Device(c10::kCPU));

    OpenedModel opened;
    ModelInfo& info = opened.info;
    info.path = QFileInfo(path).absoluteFilePath();
    info.name = QFileInfo(path).completeBaseName();
    info.widths = denoiser->widths();
    if (auto slimmable = std::dynamic_pointer_cast<SlimmableDenoiser>(denoiser)) {
        SlimmableUNet& net = slimmable->net();
        net.eval();
        info.config = net.config();
        for (const auto& p : net.parameters())
            info.parameterCount += p.numel();
        info.architecture = QString::fromStdString(describe(info.config));
    } else {
        info.config.imageSize = denoiser->imageSize();
        info.config.channels = denoiser->channels();
        info.config.diffusion = denoiser->diffusion();
        info.config.widths = info.widths;
        info.architecture = QStringLiteral("%1: %2 separately trained networks, %3x%3x%4")
                                .arg(QString::fromStdString(denoiser->name()))
                                .arg(info.widths.size())
                                .arg(denoiser->imageSize())
                                .arg(denoiser->channels());
    }
    for (double w : info.widths) {
        info.macs.push_back(int64_t(denoiser->macsPerImage(w)));
        info.widthSources.push_back(QString::fromStdString(describeWidth(*denoiser, w)));
    }
    info.device = QString::fromStdString(denoiser->device().str());
    opened.denoiser = std::move(denoiser);
    return opened;
}

int applyEngineThreads(int threads)
{
    torch::set_num_threads(threads);
    return torch::get_num_threads();
}

}  // namespace ddsm::ui
