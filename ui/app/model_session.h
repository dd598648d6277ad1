#pragma once
// The loaded network and the one worker thread that runs every network call.
// The GUI thread only queues jobs and receives their results as signals: open
// a model, sample with per-step frames, measure latency per width. Each job
// has its own cancel flag, which the sampler checks before every network call.
#include "latency_profile.h"
#include "model_info.h"
#include "quality_jobs.h"
#include "sampling_request.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <map>
#include <memory>

namespace ddsm {
class Denoiser;
}

namespace ddsm::ui {

struct LatencySettings;

class ModelSession : public QObject {
    Q_OBJECT
public:
    // `threads` <= 0: every core.
    explicit ModelSession(int threads = 0, QObject* parent = nullptr);
    ~ModelSession() override;

    bool hasModel() const { return bool(denoiser_); }
    const ModelInfo& model() const { return model_; }
    const LatencyProfile& latency() const { return latency_; }
    int threads() const { return threads_; }
    // "CPU, 2 threads" (or the torch device name for other devices).
    QString backendText() const;

    // Asynchronous: ends in modelOpened or modelOpenFailed. Running jobs are
    // cancelled first; on failure the current model stays loaded.
    void openModel(const QString& path);
    // Job id (> 0), or 0 if no model is loaded.
    int startSampling(const SamplingRequest& request, const QString& label);
    int startLatencyProfile();
    // A measured FID/KID of one schedule (quality_jobs.h): qualityEstimated
    // after every batch, then jobEnded. Errors end in qualityFailed.
    int startQualityRun(const QualityRequest& request);
    // A schedule search: searchProgress after every generation, searchValidated
    // once its finalists are validated on fresh noise, then searchEnded.
    int startSearch(const SearchRequest& request);
    void cancel(int job);
    void cancelAll();
    bool isRunning(int job) const { return jobs_.count(job) > 0; }
    bool isBusy() const { return !jobs_.empty(); }

signals:
    void modelOpened(const ddsm::ui::ModelInfo& model);
    void modelOpenFailed(const QString& path, const QString& message);
    void frameReady(const ddsm::ui::StepFrame& frame);
    void samplingFinished(const ddsm::ui::SamplingOutcome& outcome);
    void latencyMeasured(const ddsm::ui::LatencyProfile& profile);
    void qualityEstimated(int job, const ddsm::ui::MeasuredFid& estimate);
    void qualityFailed(int job, const QString& message);
    void searchProgress(int job, const ddsm::ui::SearchSnapshot& snapshot);
    void searchValidated(int job, const ddsm::ui::SearchSnapshot& snapshot);
    // `error` is empty unless the search failed.
    void searchEnded(int job, bool cancelled, const QString& error);
    // For the status bar: a job began running, made progress, or ended (any way).
    void jobStarted(int job, const QString& label);
    void jobProgress(int job, int done, int total);
    void jobEnded(int job, bool cancelled);

private:
    using CancelFlag = std::shared_ptr<std::atomic<bool>>;
    int registerJob(const QString& label, CancelFlag* flag);
    void endJob(int job, bool cancelled);
    // Runs `work` on the worker thread.
    template <typename Work>
    void onWorker(Work work);
    // Runs `work` on this object's (the GUI) thread, dropped if this object is gone.
    template <typename Work>
    void onGui(Work work);

    QThread thread_;
    QObject* worker_ = nullptr;  // lives in thread_; the context of queued jobs
    std::shared_ptr<Denoiser> denoiser_;
    // Features and statistics of quality runs and searches; touched on the worker only.
    std::shared_ptr<api::QualityMemory> qualityMemory_;
    ModelInfo model_;
    LatencyProfile latency_;
    int threads_ = 1;
    int nextJob_ = 1;
    std::map<int, CancelFlag> jobs_;
};

}  // namespace ddsm::ui
