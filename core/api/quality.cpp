// FID and KID of one schedule's samples with their intervals (`ddsm fid`),
// batch by batch, image i from the same noise as `sample` with the seed.
#include "api/api_internal.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "distributed/process_group.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"

#include <torch/torch.h>

#include <chrono>

namespace ddsm::api {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

QualityResult measureQuality(const Model& model, const QualityOptions& options)
{
    torch::NoGradGuard noGrad;
    const Reporter<QualityProgress> notify(options.progress);
    const int samples = options.samples, batch = options.batch;
    if (samples < 2 || batch < 1 || options.bootstrapRounds < 2)
        throw Error("--samples must be at least 2, --batch at least 1, --rounds at least 2");
    const auto group = ProcessGroup::create(options.distributed);
    const bool main = group->isMain();
    const int rank = group->rank(), world = group->worldSize();

    Denoiser& denoiser = *model.denoiser();
    const ResolvedSchedule choice =
        resolveSchedule(options.schedule, options.sampler, model.T(), model.widths(), notify.notes());
    auto extractor = openFeatures(options.features);
    const GaussianStats reference = openReference(options.features, *extractor);

    at::Tensor kidReference;
    const bool defaultFeatures = options.features.network == "default";
    const std::string kidData = !options.kidData.empty() ? options.kidData : defaultFeatures ? "fashion-mnist" : "none";
    if (kidData != "none") {
        ImageFolderOptions folder;
        folder.limit = options.kidCount;
        folder.image_size = model.imageSize();
        folder.channels = model.channels();
        const auto data = loadDataset(kidData, folder);
        kidReference = extractFeatures(*extractor, data.images);
        if (main) {
            QualityProgress p;
            p.stage = QualityProgress::Stage::KidReference;
            p.kidReference = data.description;
            notify(p);
        }
    }

    const auto cost = scheduleCost(choice.stepWidths, 1.0, [&](double w) { return denoiser.macsPerImage(w); });
    if (main) {
        QualityPlan plan;
        plan.model = model.description();
        plan.schedule = choice.document.schedule.description();
        plan.sampler = choice.sampler.toString();
        plan.gflopsPerImage = cost.gflopsPerImage();
        plan.saving = cost.saving();
        plan.batch = batch;
        plan.ranks = world;
        QualityProgress p;
        p.stage = QualityProgress::Stage::Started;
        p.plan = &plan;
        notify(p);
    }

    const SampleRecipe recipe{choice.sampler, choice.timesteps, choice.stepWidths};
    SampleQualityRun run(denoiser, *extractor, reference, kidReference, recipe);
    const GaussianDiffusion diffusion(denoiser.diffusion());
    const auto start = std::chrono::steady_clock::now();
    // Batch b holds images b*batch .. (one process's batches); in each round
    // rank r samples batch round*world + r, and every rank adds the gathered
    // features batch by batch, as one process adds them.
    while (run.count() < samples) {
        const int first = int(run.count()) + rank * batch;
        at::Tensor mine = first < samples ? sampleFeatures(denoiser, diffusion, recipe, *extractor, first,
                                                           std::min(batch, samples - first), options.cancel)
                                          : at::empty({0, extractor->dim()}, at::kFloat);
        for (const auto& features : group->allGatherRows(mine, "gathering the features of a round of batches"))
            if (features.size(0) > 0)
                run.addFeatures(features);
        if (main && run.count() >= 2 && run.count() < samples && options.progress) {
            QualityProgress p;
            p.stage = QualityProgress::Stage::Batch;
            p.done = run.count();
            p.total = samples;
            p.seconds = secondsSince(start);
            p.fid = run.fid(50);
            notify(p);
        }
    }
    QualityResult result;
    result.mainRank = main;
    result.samples = samples;
    if (!main)
        return result;
    result.seconds = secondsSince(start);
    result.fid = run.fid(options.bootstrapRounds);
    result.kid = run.kid();
    return result;
}

}  // namespace ddsm::api
