#pragma once
// Step importance, measured: for bins of training timesteps and each width,
// how far the narrow network departs from the full one there.
//  - eps departure: E[(eps_w(x_t, t) - eps_full(x_t, t))^2] per element, on
//    real images noised to t uniform in the bin (cheap, no sampling);
//  - distance change: FID of sampling with only that bin narrowed minus FID
//    at full width, both from the same noise (what a schedule pays there).
// Bins run along the training axis: bin 0 starts at t = 0 (the clean end).
//
// Both measures run on N ranks when given a process group (every rank makes
// the same call): the batches are dealt out round-robin, every image keeps its
// draws (noise, timestep, real image) whatever N, and the per-batch results
// are gathered in batch order, so every rank ends with one process's figures.
#include "metrics/gaussian_stats.h"
#include "engine/sampler.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ddsm {

class Denoiser;
class FeatureExtractor;
class ProcessGroup;

// bins + 1 ascending edges from 0 to T; bin b holds t in [edges[b], edges[b+1]).
// Throws ddsm::Error unless 1 <= bins <= T.
std::vector<int> equalTimestepBins(int T, int bins);

struct StepImportance {
    std::vector<int> binEdges;
    std::vector<double> widths;                     // descending, widths[0] the full network
    std::vector<std::vector<double>> epsDeparture;  // [bin][width], 0 at full width
    std::vector<std::vector<double>> epsError;      // [bin][width]: MSE against the true noise
    int64_t imagesPerBin = 0;
    // Filled by measureDistanceChanges; empty until then.
    std::vector<std::vector<double>> distanceChange;  // [bin][width]
    double fullWidthDistance = 0;
    int64_t distanceSamples = 0;
    std::string distanceSettings;  // sampler, features and reference behind distanceChange

    int bins() const { return int(binEdges.size()) - 1; }
};

struct EpsDepartureSettings {
    int bins = 10;
    int64_t imagesPerBin = 256;
    int64_t batch = 256;
    uint64_t seed = 0;
};

// images: real data [N, C, H, W] in [-1, 1]. Images, timesteps and noise are
// drawn from `seed`. `onProgress(done, total)` after each bin. Both measures
// check `cancel` between batches (and the distance changes before every network
// call) and then throw Cancelled on every rank.
StepImportance measureEpsDeparture(Denoiser& denoiser, const at::Tensor& images, const EpsDepartureSettings& settings,
                                   const std::function<void(int, int)>& onProgress = {}, ProcessGroup* ranks = nullptr,
                                   const std::atomic<bool>* cancel = nullptr);

// Adds distanceChange to `importance` for `samples` images of `sampler`
// (seeded as `ddsm sample`). Runs sharing the full-width prefix resume from
// its stored states; bins the sampler never visits cost nothing and get 0.
// `onProgress(done, total)` counts this rank's batches.
void measureDistanceChanges(StepImportance& importance, Denoiser& denoiser, FeatureExtractor& extractor,
                            const GaussianStats& reference, const SamplerSettings& sampler, int samples, int batch,
                            const std::function<void(int, int)>& onProgress = {}, ProcessGroup* ranks = nullptr,
                            const std::atomic<bool>* cancel = nullptr);

// CSV rows: t_begin,t_end,width,eps_departure,eps_error,distance_change
// (t_end exclusive; distance_change empty when not measured).
std::string importanceCsv(const StepImportance& importance);
// Reads importanceCsv's text back (distance changes only when every row has
// one). Throws ddsm::Error naming `where` and the line for malformed text.
StepImportance importanceFromCsv(const std::string& text, const std::string& where);

enum class ImportanceMeasure { EpsDeparture, DistanceChange };

// One value per training timestep t (index t, size T = the last edge) for a
// timeline overlay: the measure of `width` in the bin holding t. Throws
// ddsm::Error for a width or a measure the profile lacks.
std::vector<double> importancePerTimestep(const StepImportance& importance, double width,
                                          ImportanceMeasure measure = ImportanceMeasure::EpsDeparture);

// PNG plot drawn with OpenCV: eps departure per narrow width against the
// training timestep (and distance change in a second panel when measured).
void writeImportancePlot(const std::string& path, const StepImportance& importance, const std::string& title);

}  // namespace ddsm
