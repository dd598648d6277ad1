// Measuring step importance (`ddsm importance`): the eps departure of every
// width on noised real images and, when asked, the FID change per bin;
// cancellable between batches.
#include "api/api_internal.h"

#include "base/cancelled.h"
#include "base/error.h"
#include "data/dataset_spec.h"
#include "distributed/process_group.h"
#include "engine/denoiser.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/step_importance.h"

#include <torch/torch.h>

namespace ddsm::api {

ImportanceResult measureImportance(const Model& model, const ImportanceOptions& options)
{
    if (!model.isOpen())
        throw Error("step importance needs a model");
    const auto group = ProcessGroup::create(options.distributed);
    const bool main = group->isMain();
    const Reporter<ImportanceProgress> notify(options.progress, main);
    Denoiser& denoiser = *model.denoiser();
    ImageFolderOptions folder;
    folder.image_size = model.imageSize();
    folder.channels = model.channels();
    const auto data = loadDataset(options.data, folder);

    // The second stage's settings are checked before the first, long one runs.
    std::shared_ptr<FeatureExtractor> extractor;
    GaussianStats reference;
    SamplerSettings sampler = engineSampler(options.sampler);
    if (options.distanceSamples > 0) {
        extractor = openFeatures(options.features);
        reference = openReference(options.features, *extractor);
        sampler.validate(model.T());
    }

    EpsDepartureSettings settings;
    settings.bins = options.bins;
    settings.imagesPerBin = options.imagesPerBin;
    settings.batch = options.batch;
    settings.seed = options.sampler.seed;
    ImportanceProgress started;
    started.data = data.description;
    started.ranks = group->worldSize();
    notify(started);
    const auto progress = [&](ImportanceProgress::Stage stage) {
        return [&notify, stage](int done, int total) {
            ImportanceProgress p;
            p.stage = stage;
            p.done = done;
            p.total = total;
            notify(p);
        };
    };
    ImportanceResult result;
    result.mainRank = main;
    StepImportance importance;
    try {
        importance = measureEpsDeparture(denoiser, data.images, settings,
                                         progress(ImportanceProgress::Stage::EpsDeparture), group.get(),
                                         options.cancel);
        if (options.distanceSamples > 0)
            measureDistanceChanges(importance, denoiser, *extractor, reference, sampler, options.distanceSamples,
                                   int(settings.batch), progress(ImportanceProgress::Stage::DistanceChanges),
                                   group.get(), options.cancel);
    } catch (const Cancelled&) {
        result.cancelled = true;
        return result;
    }
    result.data = data.description;
    result.profile = importanceProfile(importance);
    return result;
}

}  // namespace ddsm::api
