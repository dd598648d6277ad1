// The measured FID/KID of one schedule, batch by batch, for the Metrics dock.
#include "quality_jobs.h"
#include "quality_space.h"
#include "engine_sampler.h"

#include "base/error.h"
#include "engine/denoiser.h"
#include "evaluation/sample_quality.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ddsm::ui {

void runQualityJob(Denoiser& denoiser, QualitySpaceCache& spaces, const QualityRequest& request,
                   const std::atomic<bool>& cancel,
                   const std::function<void(const MeasuredFid&)>& onEstimate)
{
    if (request.batch < 2 || request.maxSamples < request.batch)
        throw Error("a quality run needs batches of at least 2 images and room for one batch");
    if (int(request.widthsByTimestep.size()) != denoiser.diffusion().T)
        throw Error("the schedule does not cover the model's T = " + std::to_string(denoiser.diffusion().T) + " timesteps");
    torch::NoGradGuard noGrad;
    const QualitySpace& space = spaces.get(denoiser, request.withKid);
    const SamplerSettings sampler = engineSampler(request.sampler);
    sampler.validate(denoiser.diffusion().T);
    SampleQualityRun run(denoiser, *space.extractor, space.reference, space.kidReference,
                         makeRecipe(sampler, request.widthsByTimestep));
    while (run.count() < request.maxSamples) {
        if (cancel.load())
            return;
        const int count = int(std::min<int64_t>(request.batch, request.maxSamples - run.count()));
        try {
            run.addBatch(count, &cancel);
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
        const double halfWidth = 0.5 * (fid.high - fid.low);
        m.finished = run.count() >= request.maxSamples ||
                     (run.count() >= request.minSamples && halfWidth <= request.stopRelativeHalfWidth * std::abs(fid.value));
        onEstimate(m);
        if (m.finished)
            return;
    }
}

}  // namespace ddsm::ui
