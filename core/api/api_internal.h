#pragma once
// What the API's operations share; not part of the public API.
#include "api/ddsm_api.h"

#include "engine/model_file.h"
#include "engine/sampler.h"
#include "metrics/gaussian_stats.h"
#include "schedule/schedule_document.h"

#include <memory>
#include <string>
#include <vector>

namespace ddsm {
class FeatureExtractor;
struct StepImportance;
struct PredictorCalibration;
struct TrainOptions;
}

namespace ddsm::api {

using Notes = std::function<void(const std::string&)>;

// An operation's progress callback, which the caller may leave empty; notes
// (what a command prints on stderr) travel through it as Stage::Note.
template <class Progress>
class Reporter {
public:
    explicit Reporter(const std::function<void(const Progress&)>& callback, bool enabled = true)
        : callback_(callback), enabled_(enabled)
    {
    }
    void operator()(const Progress& p) const
    {
        if (enabled_ && callback_)
            callback_(p);
    }
    Notes notes() const
    {
        return [this](const std::string& text) {
            Progress p;
            p.stage = Progress::Stage::Note;
            p.note = text;
            (*this)(p);
        };
    }

private:
    const std::function<void(const Progress&)>& callback_;
    bool enabled_;
};

SamplerSettings engineSampler(const Sampler& sampler);

// A schedule file for a model of `modelWidths`: a width the model lacks is
// refused, naming it and its first t, unless `snap`; then it is snapped to
// the nearest model width and `note` says which.
ScheduleDocument loadScheduleForModel(const std::string& path, int T, const std::vector<double>& modelWidths, bool snap,
                                      const Notes& note);

// A ScheduleRequest resolved for a model: the schedule on the training axis,
// the engine's sampler and what it runs at each step.
struct ResolvedSchedule {
    ScheduleDocument document;
    SamplerSettings sampler;
    std::vector<int> timesteps;     // denoising order
    std::vector<double> stepWidths;
};
ResolvedSchedule resolveSchedule(const ScheduleRequest& request, const Sampler& sampler, int T,
                                 const std::vector<double>& modelWidths, const Notes& note);

std::unique_ptr<FeatureExtractor> openFeatures(const FeatureOptions& options);
// options.reference, or the shipped statistics with the default network; checked against the extractor.
GaussianStats openReference(const FeatureOptions& options, const FeatureExtractor& extractor);

// A model file holding one slimmable network, for what needs the network
// itself; a family is refused, naming `use` ("ddsm widen", "--init-weights").
LoadedModel openSlimmableModel(const std::string& path, const std::string& use);

// The evaluation module's step importance as the API hands it out.
ImportanceProfile importanceProfile(const StepImportance& importance);
// A distance predictor's calibration as the API describes it.
PredictorInfo predictorInfo(const PredictorCalibration& calibration);

// Training settings given by flag (TrainRequest::settings) read into `options`,
// each refused naming its flag when malformed. Resuming `resumedCheckpoint`
// (non-empty), only those that may change on resume are accepted and `note`
// says which change.
void applyTrainSettings(TrainOptions& options, const std::map<std::string, std::string>& settings,
                        const std::string& resumedCheckpoint, const Notes& note);

}  // namespace ddsm::api
