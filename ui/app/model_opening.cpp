// Opening a model file on the worker thread and summarising it for the interface.
#include "model_jobs.h"

#include "api/ddsm_api.h"

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
    api::OpenOptions options;
    options.path = isPaperCheckpoint(path) ? importedModelPath(path) : path.toStdString();
    const api::Model model = api::openModel(options);
    const api::ModelReport report = api::describeModel(model);

    OpenedModel opened;
    ModelInfo& info = opened.info;
    info.path = QFileInfo(path).absoluteFilePath();
    info.name = QFileInfo(path).completeBaseName();
    info.sha256 = report.sha256;
    info.timesteps = report.T;
    info.widths = report.widths;
    info.parameterCount = report.parameters;
    info.architecture = QString::fromStdString(report.architecture);
    for (double macs : report.macsPerWidth)
        info.macs.push_back(int64_t(macs));
    for (const std::string& source : report.widthDescriptions)
        info.widthSources.push_back(QString::fromStdString(source));
    info.device = QString::fromStdString(model.device());
    opened.denoiser = model.denoiser();
    return opened;
}

}  // namespace ddsm::ui
