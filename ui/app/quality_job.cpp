// The measured FID/KID of one schedule, batch by batch, for the Metrics dock,
// and its paired difference to full width on the same images.
#include "quality_jobs.h"
#include "quality_space.h"
#include "engine_sampler.h"

#include "base/error.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/sample_quality.h"
#include "search/reevaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

namespace {

bool isFullWidth(const Denoiser& denoiser, const std::vector<double>& widthsByTimestep)
{
    const auto widths = denoiser.widths();
    const double full = *std::max_element(widths.begin(), widths.end());
    return std::all_of(widthsByTimestep.begin(), widthsByTimestep.end(), [&](double w) { return w >= full; });
}

}  // namespace

void runQualityJob(const std::shared_ptr<Denoiser>& denoiser, QualitySpaceCache& spaces, const QualityRequest& request,
                   const std::atomic<bool>& cancel,
                   const std::function<void(const MeasuredFid&)>& onEstimate)
{
    if (request.batch < 2 || request.maxSamples < request.batch)
        throw Error("a quality run needs batches of at least 2 images and room for one batch");
    if (int(request.widthsByTimestep.size()) != denoiser->diffusion().T)
        throw Error("the schedule does not cover the model's T = " + std::to_string(denoiser->diffusion().T) + " timesteps");
    torch::NoGradGuard noGrad;
    const QualitySpace& space = spaces.get(*denoiser, request.withKid);
    const SamplerSettings sampler = engineSampler(request.sampler);
    sampler.validate(denoiser->diffusion().T);
    const SampleRecipe recipe = makeRecipe(sampler, request.widthsByTimestep);
    const bool paired = request.pairedWithFullWidth && !isFullWidth(*denoiser, request.widthsByTimestep);
    const GaussianDiffusion diffusion(denoiser->diffusion());
    spaces.fullWidth().setStore(request.featureStore, request.modelPath);
    SampleQualityRun run(*denoiser, *space.extractor, space.reference, space.kidReference, recipe);
    while (run.count() < request.maxSamples) {
        if (cancel.load())
            return;
        const int count = int(std::min<int64_t>(request.batch, request.maxSamples - run.count()));
        const int first = int(run.count());
        at::Tensor full;
        try {
            // Full width first: its images are kept for the next edit.
            if (paired)
                full = spaces.fullWidth().first(denoiser, *space.extractor, sampler, first + count, &cancel);
            run.addFeatures(sampleFeatures(*denoiser, diffusion, recipe, *space.extractor, first, count, &cancel));
        } catch (const Error&) {
            if (cancel.load())
                return;  // stopped inside the batch
            throw;
        }
        const Estimate fid = run.fid();
        MeasuredFid m;
        m.fid = fid.value;
        m.ciLow = fid.low;
        m.ciHigh = fid.high;
        m.samples = int(run.count());
        m.featureNetwork = QString::fromStdString(fid.featureName);
        m.reference = QString::fromStdString(fid.reference);
        if (run.count() >= 4) {
            if (const auto kid = run.kid()) {
                m.kid = kid->value;
                m.kidLow = kid->low;
                m.kidHigh = kid->high;
            }
        }
        m.widthsByTimestep = request.widthsByTimestep;
        m.steps = request.sampler.steps;
        bool precise = false;
        if (paired) {
            BootstrapOptions bootstrap;
            bootstrap.seed = sampler.seed;
            const PairedDifference d = pairedFidDifference(space.reference, full, run.features(), bootstrap);
            m.vsFull = d.value;
            m.vsFullLow = d.interval.low;
            m.vsFullHigh = d.interval.high;
            m.fullWidthFid = m.fid - d.value;
            precise = 0.5 * (d.interval.high - d.interval.low) <= request.stopPairedHalfWidth;
        } else {
            precise = 0.5 * (fid.high - fid.low) <= request.stopRelativeHalfWidth * std::abs(fid.value);
        }
        m.finished = run.count() >= request.maxSamples || (run.count() >= request.minSamples && precise);
        onEstimate(m);
        if (m.finished)
            return;
    }
}

}  // namespace ddsm::ui
