// Opening a model file on the worker thread and summarising it for the interface.
#include "model_jobs.h"

#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

#include <QFileInfo>

namespace ddsm::ui {

OpenedModel openModelFile(const QString& path)
{
    auto denoiser = openSlimmableDenoiser(path.toStdString(), c10::Device(c10::kCPU));
    SlimmableUNet& net = denoiser->net();
    net.eval();

    OpenedModel opened;
    ModelInfo& info = opened.info;
    info.path = QFileInfo(path).absoluteFilePath();
    info.name = QFileInfo(path).completeBaseName();
    info.config = net.config();
    for (const auto& p : net.parameters())
        info.parameterCount += p.numel();
    info.widths = denoiser->widths();
    for (double w : info.widths)
        info.macs.push_back(totalMacs(info.config, w));
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
