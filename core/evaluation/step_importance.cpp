#include "evaluation/step_importance.h"

#include "base/error.h"
#include "distributed/dealt_batches.h"
#include "engine/denoiser.h"
#include "engine/diffusion.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/sample_quality.h"
#include "metrics/frechet.h"
#include "schedule/respacing.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <map>
#include <sstream>

namespace ddsm {

std::vector<int> equalTimestepBins(int T, int bins)
{
    if (bins < 1 || bins > T)
        throw Error("timestep bins must be between 1 and T = " + std::to_string(T) + ", got " + std::to_string(bins));
    std::vector<int> edges;
    for (int b = 0; b <= bins; ++b)
        edges.push_back(int(int64_t(b) * T / bins));
    return edges;
}

StepImportance measureEpsDeparture(Denoiser& denoiser, const at::Tensor& images, const EpsDepartureSettings& settings,
                                   const std::function<void(int, int)>& onProgress, ProcessGroup* ranks,
                                   const std::atomic<bool>* cancel)
{
    if (images.dim() != 4 || images.size(0) < 1 || images.size(1) != denoiser.channels() ||
        images.size(2) != denoiser.imageSize() || images.size(3) != denoiser.imageSize())
        throw Error("step importance needs real images [N, " + std::to_string(denoiser.channels()) + ", " +
                    std::to_string(denoiser.imageSize()) + ", " + std::to_string(denoiser.imageSize()) +
                    "] matching the model");
    if (settings.imagesPerBin < 1 || settings.batch < 1)
        throw Error("step importance needs at least one image per bin and a positive batch size");
    const GaussianDiffusion diffusion(denoiser.diffusion());
    StepImportance result;
    result.binEdges = equalTimestepBins(diffusion.T(), settings.bins);
    result.widths = denoiser.widths();
    result.imagesPerBin = settings.imagesPerBin;
    const size_t widths = result.widths.size();
    // Batch k (all bins' batches in order) yields one row: each width's mean
    // squared departure, then its mean squared error. Every rank draws every
    // batch's images, timesteps and noise, so the generator stays in step.
    auto generator = at::detail::createCPUGenerator(settings.seed);
    const int64_t batchesPerBin = (settings.imagesPerBin + settings.batch - 1) / settings.batch;
    std::vector<at::Tensor> mine;
    int64_t k = 0;
    bool stopped = false;
    for (int b = 0; b < settings.bins && !stopped; ++b) {
        for (int64_t begin = 0; begin < settings.imagesPerBin; begin += settings.batch, ++k) {
            if (cancel && cancel->load()) {
                stopped = true;
                break;
            }
            const int64_t n = std::min(settings.batch, settings.imagesPerBin - begin);
            const auto picks = at::randint(images.size(0), {n}, generator, at::kLong);
            const auto t = at::randint(result.binEdges[b], result.binEdges[b + 1], {n}, generator, at::kLong);
            const auto noise = at::randn({n, images.size(1), images.size(2), images.size(3)}, generator);
            if (!isDealtTo(ranks, k))
                continue;
            const auto x0 = images.index_select(0, picks).to(at::kFloat);
            const auto xt = diffusion.qSample(x0, t, noise);
            const auto full = denoiser.predictEps(xt, t, result.widths[0]).to(at::kCPU);
            auto row = at::empty({1, int64_t(2 * widths)}, at::kDouble);
            for (size_t w = 0; w < widths; ++w) {
                const auto eps = w == 0 ? full : denoiser.predictEps(xt, t, result.widths[w]).to(at::kCPU);
                row[0][int64_t(w)] = (eps - full).pow(2).mean().item<double>();
                row[0][int64_t(widths + w)] = (eps - noise).pow(2).mean().item<double>();
            }
            mine.push_back(row);
        }
        if (onProgress && !stopped)
            onProgress(b + 1, settings.bins);
    }
    stopIfAnyRankCancelled(ranks, stopped, "step importance");
    const auto rows = gatherDealtRows(ranks, mine.empty() ? at::Tensor() : at::cat(mine), k, 1,
                                      "gathering the eps departures of the batches");
    const auto value = rows.accessor<double, 2>();
    for (int b = 0; b < settings.bins; ++b) {
        std::vector<double> departure(widths, 0.0), error(widths, 0.0);
        for (int64_t j = 0; j < batchesPerBin; ++j) {
            const int64_t n = std::min(settings.batch, settings.imagesPerBin - j * settings.batch);
            const double share = double(n) / double(settings.imagesPerBin);
            for (size_t w = 0; w < widths; ++w) {
                departure[w] += share * value[b * batchesPerBin + j][int64_t(w)];
                error[w] += share * value[b * batchesPerBin + j][int64_t(widths + w)];
            }
        }
        result.epsDeparture.push_back(departure);
        result.epsError.push_back(error);
    }
    return result;
}

void measureDistanceChanges(StepImportance& importance, Denoiser& denoiser, FeatureExtractor& extractor,
                            const GaussianStats& reference, const SamplerSettings& sampler, int samples, int batch,
                            const std::function<void(int, int)>& onProgress, ProcessGroup* ranks,
                            const std::atomic<bool>* cancel)
{
    requireMatchingReference(reference, extractor);
    if (samples < 2 || batch < 1)
        throw Error("distance changes need at least 2 samples and a positive batch size");
    const GaussianDiffusion diffusion(denoiser.diffusion());
    const auto timesteps = respacedTimesteps(diffusion.T(), sampler.steps);
    const int bins = importance.bins();
    const size_t widths = importance.widths.size();
    // The first sampler step inside each bin (denoising order), or -1.
    std::vector<int> firstStep(size_t(bins), -1);
    for (int s = 0; s < int(timesteps.size()); ++s)
        for (int b = 0; b < bins; ++b)
            if (timesteps[s] >= importance.binEdges[b] && timesteps[s] < importance.binEdges[b + 1] &&
                firstStep[b] < 0)
                firstStep[b] = s;

    // The narrowed runs: a bin the sampler visits, at each narrow width.
    std::vector<std::pair<int, size_t>> narrowings;
    for (int b = 0; b < bins; ++b)
        for (size_t w = 1; w < widths && firstStep[b] >= 0; ++w)
            narrowings.emplace_back(b, w);

    const std::vector<double> fullWidths(timesteps.size(), importance.widths[0]);
    // Per image, one row: the full-width run's features, then each narrowing's.
    std::vector<at::Tensor> mine;
    const int batches = (samples + batch - 1) / batch;
    int mineTotal = 0, mineDone = 0;
    for (int k = 0; k < batches; ++k)
        mineTotal += isDealtTo(ranks, k) ? 1 : 0;
    bool stopped = false;
    for (int first = 0; first < samples && !stopped; first += batch) {
        if (!isDealtTo(ranks, first / batch))
            continue;
        const int n = std::min(batch, samples - first);
        SamplerSettings settings = sampler;
        settings.firstImage = first;
        SamplerRun run;
        run.timesteps = timesteps;
        run.stepWidths = fullWidths;
        run.x = initialNoise(settings.seed, first, n, denoiser.channels(), denoiser.imageSize());
        std::vector<at::Tensor> states{run.x};  // states[s]: the input of step s
        run.onStep = [&](const SamplerStep& step) { states.push_back(step.x); };
        run.cancel = cancel;
        const auto full = runSampler(denoiser, diffusion, settings, run);
        stopped = full.cancelled;
        std::vector<at::Tensor> columns;
        if (!stopped)
            columns.push_back(extractor.features(full.images.clamp(-1, 1)));
        for (const auto& [b, w] : narrowings) {
            if (stopped)
                break;
            SamplerRun narrow;
            narrow.timesteps = timesteps;
            narrow.stepWidths = fullWidths;
            for (size_t s = 0; s < timesteps.size(); ++s)
                if (timesteps[s] >= importance.binEdges[b] && timesteps[s] < importance.binEdges[b + 1])
                    narrow.stepWidths[s] = importance.widths[w];
            narrow.firstStep = firstStep[b];
            narrow.x = states[size_t(firstStep[b])];
            narrow.cancel = cancel;
            const auto narrowed = runSampler(denoiser, diffusion, settings, narrow);
            stopped = narrowed.cancelled;
            if (!stopped)
                columns.push_back(extractor.features(narrowed.images.clamp(-1, 1)));
        }
        if (stopped)
            break;
        mine.push_back(at::cat(columns, 1));
        if (onProgress)
            onProgress(++mineDone, mineTotal);
    }
    stopIfAnyRankCancelled(ranks, stopped, "step importance");
    const auto rows = gatherDealtRows(ranks, mine.empty() ? at::Tensor() : at::cat(mine), samples, batch,
                                      "gathering the features of the narrowed runs");
    const int64_t dim = rows.size(1) / int64_t(1 + narrowings.size());
    const auto distance = [&](size_t run) {
        return frechetDistance(reference, computeStats(rows.narrow(1, int64_t(run) * dim, dim).contiguous()));
    };
    importance.fullWidthDistance = distance(0);
    importance.distanceChange.assign(size_t(bins), std::vector<double>(widths, 0.0));
    for (size_t i = 0; i < narrowings.size(); ++i)
        importance.distanceChange[size_t(narrowings[i].first)][narrowings[i].second] =
            distance(i + 1) - importance.fullWidthDistance;
    importance.distanceSamples = samples;
    importance.distanceSettings = sampler.toString() + ", features " + extractor.name() + ", reference " +
                                  reference.source;
}

std::string importanceCsv(const StepImportance& importance)
{
    std::ostringstream out;
    // The sampler behind the distance changes: they hold for it alone.
    if (!importance.distanceSettings.empty())
        out << "# distance_change: " << importance.distanceSettings << ", " << importance.distanceSamples
            << " samples\n";
    out << "t_begin,t_end,width,eps_departure,eps_error,distance_change\n";
    char line[256];
    for (int b = 0; b < importance.bins(); ++b)
        for (size_t w = 0; w < importance.widths.size(); ++w) {
            std::snprintf(line, sizeof line, "%d,%d,%g,%.6g,%.6g,", importance.binEdges[b], importance.binEdges[b + 1],
                          importance.widths[w], importance.epsDeparture[b][w], importance.epsError[b][w]);
            out << line;
            if (!importance.distanceChange.empty()) {
                std::snprintf(line, sizeof line, "%.6g", importance.distanceChange[b][w]);
                out << line;
            }
            out << "\n";
        }
    return out.str();
}

StepImportance importanceFromCsv(const std::string& text, const std::string& where)
{
    std::istringstream in(text);
    std::string line, comments;
    while (std::getline(in, line) && line.rfind("#", 0) == 0)
        comments += line;
    if (in.fail() || line.rfind("t_begin,t_end,width,eps_departure,eps_error", 0) != 0)
        throw Error(where + ": not a step-importance CSV (expected the header "
                            "t_begin,t_end,width,eps_departure,eps_error,distance_change)");
    struct Row {
        int begin, end;
        double width, departure, error;
        std::optional<double> change;
    };
    std::vector<Row> rows;
    for (int lineNumber = 2; std::getline(in, line); ++lineNumber) {
        if (line.empty())
            continue;
        std::vector<std::string> cells;
        std::stringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');)
            cells.push_back(cell);
        if (line.back() == ',')
            cells.push_back("");
        try {
            if (cells.size() != 6)
                throw std::invalid_argument("6 fields expected");
            size_t used = 0;
            const auto number = [&used](const std::string& cell) {
                const double v = std::stod(cell, &used);
                if (used != cell.size() || !std::isfinite(v))
                    throw std::invalid_argument("not a number: " + cell);
                return v;
            };
            Row row{int(number(cells[0])), int(number(cells[1])), number(cells[2]), number(cells[3]), number(cells[4]),
                    std::nullopt};
            if (!cells[5].empty())
                row.change = number(cells[5]);
            if (row.end <= row.begin || row.begin < 0)
                throw std::invalid_argument("t_end must exceed t_begin >= 0");
            rows.push_back(row);
        } catch (const std::exception& e) {
            throw Error(where + ", line " + std::to_string(lineNumber) + ": " + e.what());
        }
    }
    // Bins: the distinct [begin, end) ranges, which must tile 0 .. T.
    std::vector<std::pair<int, int>> ranges;
    for (const Row& row : rows)
        ranges.emplace_back(row.begin, row.end);
    std::sort(ranges.begin(), ranges.end());
    ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
    StepImportance importance;
    if (ranges.empty() || ranges.front().first != 0)
        throw Error(where + ": no bins, or the first bin does not start at t = 0");
    importance.binEdges.push_back(0);
    for (const auto& [begin, end] : ranges) {
        if (begin != importance.binEdges.back())
            throw Error(where + ": bins do not tile the timesteps: [" + std::to_string(begin) + ", " +
                        std::to_string(end) + ") after a bin ending at " + std::to_string(importance.binEdges.back()));
        importance.binEdges.push_back(end);
    }
    for (const Row& row : rows)
        if (std::find(importance.widths.begin(), importance.widths.end(), row.width) == importance.widths.end())
            importance.widths.push_back(row.width);
    std::sort(importance.widths.rbegin(), importance.widths.rend());
    const size_t bins = importance.binEdges.size() - 1, widths = importance.widths.size();
    if (rows.size() != bins * widths)
        throw Error(where + ": expected one row per bin and width (" + std::to_string(bins) + " x " +
                    std::to_string(widths) + "), found " + std::to_string(rows.size()));
    importance.epsDeparture.assign(bins, std::vector<double>(widths, std::nan("")));
    importance.epsError = importance.epsDeparture;
    const bool changes = std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.change.has_value(); });
    if (changes)
        importance.distanceChange = importance.epsDeparture;
    for (const Row& row : rows) {
        const auto bin = std::find(importance.binEdges.begin(), importance.binEdges.end(), row.begin);
        const size_t b = size_t(bin - importance.binEdges.begin());
        const size_t w = size_t(std::find(importance.widths.begin(), importance.widths.end(), row.width) -
                                importance.widths.begin());
        if (!std::isnan(importance.epsDeparture[b][w]))
            throw Error(where + ": bin [" + std::to_string(row.begin) + ", " + std::to_string(row.end) +
                        ") at width " + std::to_string(row.width) + " appears twice");
        importance.epsDeparture[b][w] = row.departure;
        importance.epsError[b][w] = row.error;
        if (changes)
            importance.distanceChange[b][w] = *row.change;
    }
    // "# distance_change: SETTINGS, N samples" (files written before it have none).
    const std::string prefix = "# distance_change: ";
    if (changes && comments.rfind(prefix, 0) == 0) {
        std::string settings = comments.substr(prefix.size());
        const auto comma = settings.rfind(", ");
        if (comma != std::string::npos && settings.size() > 8 && settings.compare(settings.size() - 8, 8, " samples") == 0) {
            importance.distanceSamples = std::atoll(settings.c_str() + comma + 2);
            settings.resize(comma);
        }
        importance.distanceSettings = settings;
    }
    return importance;
}

std::vector<double> importancePerTimestep(const StepImportance& importance, double width, ImportanceMeasure measure)
{
    const auto found = std::find(importance.widths.begin(), importance.widths.end(), width);
    if (found == importance.widths.end())
        throw Error("the importance profile has no width " + std::to_string(width));
    const bool distance = measure == ImportanceMeasure::DistanceChange;
    if (distance && importance.distanceChange.empty())
        throw Error("the importance profile has no distance changes (ddsm importance --distance-samples)");
    const auto& table = distance ? importance.distanceChange : importance.epsDeparture;
    const size_t w = size_t(found - importance.widths.begin());
    std::vector<double> perTimestep(size_t(importance.binEdges.back()));
    for (int b = 0; b < importance.bins(); ++b)
        for (int t = importance.binEdges[b]; t < importance.binEdges[b + 1]; ++t)
            perTimestep[size_t(t)] = table[b][w];
    return perTimestep;
}

}  // namespace ddsm
