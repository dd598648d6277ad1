// What a model holds (`ddsm info`) and what it costs (`ddsm flops`): counted
// MACs per width and schedule, and latency measured on this machine.
#include "api/api_internal.h"

#include "base/error.h"
#include "base/sha256.h"
#include "engine/denoiser.h"
#include "engine/flops.h"
#include "engine/net_config.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/family_denoiser.h"
#include "family/open_denoiser.h"
#include "io/safetensors.h"
#include "search/latency_profile.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <map>

namespace ddsm::api {

ModelReport describeModel(const Model& model)
{
    Denoiser& denoiser = *model.denoiser();
    ModelReport r;
    nlohmann::json architecture;
    if (auto* slimmable = dynamic_cast<SlimmableDenoiser*>(&denoiser)) {
        const NetConfig& c = slimmable->net().config();
        for (const auto& p : slimmable->net().parameters())
            r.parameters += p.numel();
        r.architecture = describe(c);
        architecture = toJson(c);
        const auto metadata = readSafetensorsMetadata(model.path());
        if (const auto provenance = metadata.find("provenance"); provenance != metadata.end())
            r.provenanceJson = provenance->second;
    } else if (const auto* family = dynamic_cast<const FamilyDenoiser*>(&denoiser)) {
        r.family = true;
        nlohmann::json members = nlohmann::json::array();
        for (const auto& m : family->members()) {
            r.parameters += m.parameters;
            members.push_back({{"name", m.name}, {"file", m.file}, {"width", m.width}, {"parameters", m.parameters},
                               {"macs", m.macsPerImage}, {"macs_source", m.costSource}});
        }
        r.architecture = "family \"" + family->name() + "\": " + std::to_string(family->members().size()) +
                         " separately trained networks, " + std::to_string(family->imageSize()) + "x" +
                         std::to_string(family->imageSize()) + "x" + std::to_string(family->channels());
        architecture = {{"family", family->name()},
                        {"image_size", family->imageSize()},
                        {"channels", family->channels()},
                        {"diffusion", toJson(family->diffusion())},
                        {"members", members}};
    }
    r.architectureJson = architecture.dump();
    r.sha256 = model.path().empty() ? "" : sha256OfFile(model.path());
    const DiffusionConfig& d = denoiser.diffusion();
    r.T = d.T;
    r.betaSchedule = d.betaSchedule;
    r.betaStart = d.betaStart;
    r.betaEnd = d.betaEnd;
    r.prediction = d.prediction;
    r.widths = denoiser.widths();
    for (double w : r.widths) {
        r.macsPerWidth.push_back(denoiser.macsPerImage(w));
        r.widthDescriptions.push_back(describeWidth(denoiser, w));
    }
    return r;
}

std::vector<double> measureLatency(const Model& model, const TimingOptions& options)
{
    torch::NoGradGuard noGrad;
    LatencyOptions latency;
    latency.batchSize = options.batch;
    latency.rounds = options.rounds;
    return measureLatencyCostModel(*model.denoiser(), model.widths(), latency).perWidth;
}

CostReport countCosts(const Model& model, const CostOptions& options)
{
    // An architecture (a model file's, or options.config's) is counted layer by
    // layer; a family's members only as a whole.
    std::optional<NetConfig> config;
    Denoiser* denoiser = model.denoiser().get();
    if (!options.config.empty()) {
        config = loadNetConfig(options.config);
    } else if (denoiser) {
        if (auto* slimmable = dynamic_cast<SlimmableDenoiser*>(denoiser))
            config = slimmable->net().config();
    } else {
        throw Error("give a MODEL or --config CFG");
    }
    if (options.breakdown && !config)
        throw Error(model.description() + ": --breakdown counts the layers of a model file's architecture; a "
                                          "family's members are TorchScript networks, counted as a whole");
    CostReport r;
    r.layered = config.has_value();
    r.widths = config ? config->widths : denoiser->widths();
    const std::function<double(double)> macsAt = [&](double w) {
        return config ? double(totalMacs(*config, w)) : denoiser->macsPerImage(w);
    };
    const int T = config ? config->diffusion.T : denoiser->diffusion().T;
    r.network = config ? describe(*config)
                       : "family \"" + denoiser->name() + "\", " + std::to_string(r.widths.size()) +
                             " separately trained networks";
    for (double w : r.widths) {
        const double macs = macsAt(w);
        r.macsPerWidth.push_back(macs);
        if (config) {
            std::map<std::string, double> byKind;
            for (const auto& layer : countLayerMacs(*config, w))
                byKind[layer.kind] += double(layer.macs);
            r.convMacs.push_back(byKind["conv"]);
            r.linearMacs.push_back(byKind["linear"]);
            r.attentionMacs.push_back(byKind["attention-matmul"]);
        }
    }
    if (options.breakdown) {
        std::vector<std::vector<LayerMacs>> perWidth;
        for (double w : r.widths)
            perWidth.push_back(countLayerMacs(*config, w));
        for (size_t i = 0; i < perWidth.front().size(); ++i) {
            LayerCost layer{perWidth.front()[i].layer, perWidth.front()[i].kind, {}};
            for (const auto& layers : perWidth)
                layer.macsPerWidth.push_back(layers[i].macs);
            r.layers.push_back(std::move(layer));
        }
    }
    if (options.schedule) {
        const ResolvedSchedule choice = resolveSchedule(*options.schedule, options.sampler.value_or(Sampler{}), T,
                                                        r.widths, options.note);
        const auto cost = scheduleCost(choice.stepWidths, r.widths.front(), macsAt);
        r.hasSchedule = true;
        r.scheduleName = choice.document.name;
        r.scheduleDescription = choice.document.schedule.description();
        r.steps = choice.sampler.steps;
        r.gflopsPerImage = cost.gflopsPerImage();
        r.gflopsMeanPerStep = 2e-9 * cost.meanMacsPerStep;
        r.saving = cost.saving();
    }
    return r;
}

}  // namespace ddsm::api
