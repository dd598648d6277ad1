// The measured FID/KID of one schedule, batch by batch, for the Metrics dock,
// and its paired difference to full width on the same images: the API's
// trackQuality, its estimates in the dock's terms.
#include "quality_jobs.h"

#include "api/ddsm_api.h"

namespace ddsm::ui {

namespace {

MeasuredFid measuredFid(const api::QualityTrackEstimate& e, const QualityRequest& request)
{
    MeasuredFid m;
    m.fid = e.fid.value;
    m.ciLow = e.fid.low;
    m.ciHigh = e.fid.high;
    m.samples = e.samples;
    m.featureNetwork = QString::fromStdString(e.fid.featureName);
    m.reference = QString::fromStdString(e.fid.reference);
    if (e.kid) {
        m.kid = e.kid->value;
        m.kidLow = e.kid->low;
        m.kidHigh = e.kid->high;
    }
    m.widthsByTimestep = request.widthsByTimestep;
    m.steps = request.sampler.steps;
    if (e.minusFullWidth) {
        m.vsFull = e.minusFullWidth->value;
        m.vsFullLow = e.minusFullWidth->low;
        m.vsFullHigh = e.minusFullWidth->high;
        m.fullWidthFid = e.fullWidthFid;
    }
    m.finished = e.finished;
    m.storeProblem = QString::fromStdString(e.storeProblem);
    return m;
}

}  // namespace

std::shared_ptr<api::QualityMemory> makeQualityMemory() { return std::make_shared<api::QualityMemory>(); }

api::Sampler apiSampler(const SamplerChoice& choice)
{
    api::Sampler s;
    s.kind = choice.kind;
    s.steps = choice.steps;
    s.eta = choice.eta;
    s.seed = choice.seed;
    return s;
}

void runQualityJob(const std::shared_ptr<Denoiser>& denoiser, api::QualityMemory& memory, const QualityRequest& request,
                   const std::atomic<bool>& cancel, const std::function<void(const MeasuredFid&)>& onEstimate)
{
    api::QualityTrackOptions options;
    options.widthsByTimestep = request.widthsByTimestep;
    options.sampler = apiSampler(request.sampler);
    options.maxSamples = request.maxSamples;
    options.batch = request.batch;
    options.minSamples = request.minSamples;
    options.stopRelativeHalfWidth = request.stopRelativeHalfWidth;
    options.pairedWithFullWidth = request.pairedWithFullWidth;
    options.stopPairedHalfWidth = request.stopPairedHalfWidth;
    options.kid = request.withKid;
    options.featureStore = request.featureStore;
    options.modelSha256 = request.modelSha256;
    options.cancel = &cancel;
    options.progress = [&](const api::QualityTrackEstimate& e) { onEstimate(measuredFid(e, request)); };
    api::trackQuality(api::Model(denoiser), memory, options);
}

}  // namespace ddsm::ui
