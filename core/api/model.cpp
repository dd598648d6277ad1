// Models, samplers and threads of the public API.
#include "api/api_internal.h"

#include "base/error.h"
#include "base/threads.h"
#include "engine/denoiser.h"
#include "engine/net_config.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "family/open_denoiser.h"
#include "metrics/stats_file.h"
#include "schedule/respacing.h"
#include "schedule/model_widths.h"
#include "schedule/schedule_file.h"
#include "schedule/width.h"

#include <torch/torch.h>

namespace ddsm::api {

int defaultThreadCount() { return ddsm::defaultThreadCount(); }

void setThreadCount(int threads)
{
    if (threads < 1)
        throw Error("--threads must be at least 1");
    torch::set_num_threads(threads);
}

Model::Model(std::shared_ptr<Denoiser> denoiser, std::string description, std::string path)
    : denoiser_(std::move(denoiser)), description_(std::move(description)), path_(std::move(path))
{
}

int Model::imageSize() const { return denoiser_->imageSize(); }
int Model::channels() const { return denoiser_->channels(); }
int Model::T() const { return denoiser_->diffusion().T; }
std::vector<double> Model::widths() const { return denoiser_->widths(); }
double Model::macsPerImage(double width) const { return denoiser_->macsPerImage(width); }
std::string Model::device() const { return denoiser_->device().str(); }

Model openModel(const OpenOptions& options)
{
    const c10::Device device(c10::kCPU);
    if (options.randomInit) {
        if (options.config.empty())
            throw Error("--init random needs --config CFG (an architecture JSON, e.g. configs/fmnist-small.json)");
        auto net = std::make_shared<SlimmableUNet>(loadNetConfig(options.config));
        net->initialize(options.initSeed);
        return Model(std::make_shared<SlimmableDenoiser>(net, "untrained", device),
                     "untrained network (" + options.config + ")");
    }
    if (options.path.empty())
        throw Error("no MODEL given (a .safetensors model file, or --init random --config CFG)");
    return Model(openDenoiser(options.path, device), options.path, options.path);
}

SamplerSettings engineSampler(const Sampler& s)
{
    SamplerSettings e;
    e.kind = s.kind;
    e.steps = s.steps;
    e.eta = s.eta;
    e.variance = s.variance;
    e.clipX0 = s.clipX0;
    e.seed = s.seed;
    return e;
}

std::string Sampler::toString() const { return engineSampler(*this).toString(); }
void Sampler::validate(int T) const { engineSampler(*this).validate(T); }

std::string formatWidth(double width) { return ddsm::formatWidth(width); }

ScheduleDocument loadScheduleForModel(const std::string& path, int T, const std::vector<double>& modelWidths, bool snap,
                                      const Notes& note)
{
    ScheduleDocument document = loadSchedule(path, T);
    document.schedule = fitToModelWidths(document.schedule, modelWidths, path, snap, note);
    return document;
}

ResolvedSchedule resolveSchedule(const ScheduleRequest& request, const Sampler& sampler, int T,
                                 const std::vector<double>& modelWidths, const Notes& note)
{
    if (modelWidths.empty())
        throw Error("the model has no widths");
    ResolvedSchedule c;
    const bool fromFile = !request.file.empty();
    if (fromFile) {
        if (request.width)
            throw Error("give either --schedule or --width, not both");
        c.document = loadSchedule(request.file, T);
    } else {
        const double width = request.width.value_or(modelWidths.front());
        c.document.schedule = StepSchedule::uniform(T, width);
    }
    c.sampler = engineSampler(sampler);
    c.sampler.validate(T);
    c.timesteps = respacedTimesteps(T, c.sampler.steps);
    c.document.sampler = SamplerRecord{c.sampler.kind, c.sampler.steps, c.sampler.eta, c.sampler.seed};
    const std::string source = fromFile ? request.file : "--width " + ddsm::formatWidth(c.document.schedule.widthAt(0));
    c.document.schedule = fitToModelWidths(c.document.schedule, modelWidths, source, request.snapWidths, note);
    if (!fromFile)
        c.document.name = "uniform " + std::to_string(c.document.schedule.widthAt(0)).substr(0, 4);
    c.stepWidths = c.document.schedule.widthsAt(c.timesteps);
    return c;
}

std::unique_ptr<FeatureExtractor> openFeatures(const FeatureOptions& options)
{
    TorchScriptFeatureOptions torchscript;
    torchscript.output = options.output;
    torchscript.inputSize = options.inputSize;
    torchscript.range = options.range;
    torchscript.channels = options.channels;
    return openFeatureExtractor(options.network, torchscript);
}

GaussianStats openReference(const FeatureOptions& options, const FeatureExtractor& extractor)
{
    const bool defaultFeatures = options.network == "default";
    if (options.reference.empty() && !defaultFeatures)
        throw Error("--ref FILE is required with --features other than the default (make one with `ddsm stats`)");
    const auto stats = loadStatsNpz(options.reference.empty() ? defaultReferenceStatsPath() : options.reference);
    requireMatchingReference(stats, extractor);
    return stats;
}

}  // namespace ddsm::api
