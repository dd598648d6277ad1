#pragma once
// The two long quality jobs of the interface, torch-free on this side:
//  - a measured FID/KID of one schedule that tightens batch by batch;
//  - a step-aware schedule search (NSGA-II) whose Pareto front grows live.
// Both score images with the shipped feature network against the shipped
// reference statistics through the API (api/ddsm_api.h), so their numbers are
// those of `ddsm fid`, `ddsm compare` and `ddsm search` with the same settings.
#include "quality_estimates.h"
#include "sampling_request.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace ddsm {
class Denoiser;
}

namespace ddsm::api {
class QualityMemory;
struct Sampler;
}  // namespace ddsm::api

namespace ddsm::ui {

// What the jobs below keep between runs (the shipped features, full width's
// features); its holder needs no API header.
std::shared_ptr<api::QualityMemory> makeQualityMemory();
// The API's sampler for the one the user chose.
api::Sampler apiSampler(const SamplerChoice& choice);

struct QualityRequest {
    SamplerChoice sampler;                 // kind, steps, eta, seed (count unused)
    std::vector<double> widthsByTimestep;  // the schedule, training axis
    int maxSamples = 2000;
    int batch = 100;
    int minSamples = 500;                  // before the interval may stop the run
    double stopRelativeHalfWidth = 0.05;   // stop once the interval is within +-5% of the value
    // A schedule narrower than full width is also measured against full width on
    // the same images (kept between runs), and stops once that paired
    // interval is within +-stopPairedHalfWidth FID instead.
    bool pairedWithFullWidth = true;
    double stopPairedHalfWidth = 2.0;
    bool withKid = true;                   // needs the Fashion-MNIST dataset for real features
    // Full width's features are also kept in this feature store between
    // launches, keyed by the model file's sha256 (either empty: only in memory).
    std::string featureStore, modelSha256;
};

// Runs until maxSamples, the interval target, or cancellation; calls
// `onEstimate` after every batch. Throws ddsm::Error for a setup that cannot
// measure (no shipped features, statistics of another feature network, a
// model whose images the features cannot take). `memory` keeps the features,
// statistics and full width's features between runs.
void runQualityJob(const std::shared_ptr<Denoiser>& denoiser, api::QualityMemory& memory, const QualityRequest& request,
                   const std::atomic<bool>& cancel,
                   const std::function<void(const MeasuredFid&)>& onEstimate);

struct SearchRequest {
    SamplerChoice sampler;            // the common noise is sampler.seed
    double budget = 0.5;              // relative FLOPs
    int population = 16;
    int generations = 10;
    int samplesPerCandidate = 128;
    QString granularity = QStringLiteral("bins:10");  // "steps" or "bins:K"
    int batch = 128;
    // Cost objective: FLOPs when empty, else this machine's measured ms per
    // image-step, one per width (widest first), e.g. the Model dock's profile.
    std::vector<double> latencyMsPerWidth;
    // After the generations, as `ddsm search --finalists K`: the best K under
    // the budget are scored again on fresh (validation) noise and the best
    // there is re-evaluated next to full width. Images for both: finalSamples,
    // 0 = 2 x samplesPerCandidate (the CLI takes 4 x; fewer keep the dock
    // interactive).
    int finalists = 3;
    int finalSamples = 0;
};

struct SearchPoint {
    std::vector<double> stepWidths;   // one per sampler step, denoising order
    double relativeCost = 0;          // cost objective relative to full width
    double gflopsPerImage = 0;
    double fid = 0;
};

struct SearchSnapshot {
    int generation = 0;               // last complete generation (0 = the initial population)
    int generations = 0;
    int samplesPerCandidate = 0;
    double budget = 0;
    QString costKind;                 // "flops" or "latency"
    // "FLOPs" or "latency", for labels.
    QString costName() const { return costKind == QLatin1String("latency") ? QStringLiteral("latency") : QStringLiteral("FLOPs"); }
    std::vector<SearchPoint> evaluated;
    std::vector<SearchPoint> front;   // by ascending cost
    std::optional<SearchPoint> best;  // lowest FID within the budget
    double cacheHitRate = 0;
    double prefixReuseRate = 0;
    double elapsedSeconds = 0;
    // Set once the finalists are validated: `best` is then the chosen one,
    // re-evaluated on finalSamples fresh images next to full width.
    bool validated = false;
    int finalists = 0;                // scored on validation noise (1: nothing to choose between)
    int finalSamples = 0;
    double chosenFid = 0, fullWidthFid = 0;
    double minusFull = 0, minusFullLow = 0, minusFullHigh = 0;  // paired 95% interval, same images
};

// Runs the search `ddsm search` runs; `onGeneration` after every generation,
// then `onValidated` once the finalists are validated and the chosen schedule
// re-evaluated. Returns false when cancelled. Throws ddsm::Error like runQualityJob.
bool runSearchJob(const std::shared_ptr<Denoiser>& denoiser, api::QualityMemory& memory, const SearchRequest& request,
                  const std::atomic<bool>& cancel,
                  const std::function<void(const SearchSnapshot&)>& onGeneration,
                  const std::function<void(const SearchSnapshot&)>& onValidated);

}  // namespace ddsm::ui
