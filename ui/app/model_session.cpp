#include "model_session.h"

#include "api/ddsm_api.h"
#include "model_jobs.h"

#include <QFileInfo>

#include <exception>

namespace ddsm::ui {

ModelSession::ModelSession(int threads, QObject* parent) : QObject(parent)
{
    threads_ = threads > 0 ? threads : api::defaultThreadCount();
    qualityMemory_ = makeQualityMemory();
    worker_ = new QObject;
    worker_->moveToThread(&thread_);
    thread_.setObjectName("ddsm-network");
    thread_.start();
    const int requested = threads_;
    // On the worker thread, which runs the network: OpenMP keeps the thread count per thread.
    onWorker([requested] { api::setThreadCount(requested); });
}

ModelSession::~ModelSession()
{
    cancelAll();
    thread_.quit();
    thread_.wait();
    delete worker_;
}

template <typename Work>
void ModelSession::onWorker(Work work)
{
    QMetaObject::invokeMethod(worker_, std::move(work), Qt::QueuedConnection);
}

template <typename Work>
void ModelSession::onGui(Work work)
{
    QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
}

QString ModelSession::backendText() const
{
    const QString device = model_.device.isEmpty() ? QStringLiteral("cpu") : model_.device;
    if (device == QLatin1String("cpu"))
        return threads_ == 1 ? tr("CPU, 1 thread") : tr("CPU, %1 threads").arg(threads_);
    return tr("torch device %1").arg(device);
}

int ModelSession::registerJob(const QString& label, CancelFlag* flag)
{
    const int job = nextJob_++;
    *flag = std::make_shared<std::atomic<bool>>(false);
    jobs_[job] = *flag;
    emit jobStarted(job, label);
    return job;
}

void ModelSession::endJob(int job, bool cancelled)
{
    if (jobs_.erase(job))
        emit jobEnded(job, cancelled);
}

void ModelSession::cancel(int job)
{
    const auto found = jobs_.find(job);
    if (found != jobs_.end())
        found->second->store(true);
}

void ModelSession::cancelAll()
{
    for (auto& [job, flag] : jobs_)
        flag->store(true);
}

void ModelSession::openModel(const QString& path)
{
    cancelAll();
    CancelFlag flag;
    const int job = registerJob(tr("Opening %1").arg(QFileInfo(path).fileName()), &flag);
    onWorker([this, path, job] {
        try {
            auto opened = std::make_shared<OpenedModel>(openModelFile(path));
            onGui([this, opened, job] {
                denoiser_ = opened->denoiser;
                model_ = opened->info;
                latency_ = {};
                endJob(job, false);
                emit modelOpened(model_);
            });
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            onGui([this, path, message, job] {
                endJob(job, false);
                emit modelOpenFailed(path, message);
            });
        }
    });
}

int ModelSession::startSampling(const SamplingRequest& request, const QString& label)
{
    if (!denoiser_)
        return 0;
    CancelFlag flag;
    const int job = registerJob(label, &flag);
    auto denoiser = denoiser_;
    onWorker([this, denoiser, request, job, flag] {
        const auto sink = [this, job](StepFrame frame) {
            onGui([this, frame = std::move(frame), job] {
                if (!isRunning(job))
                    return;
                emit jobProgress(job, frame.step + 1, frame.steps);
                emit frameReady(frame);
            });
        };
        SamplingOutcome outcome = runSamplingJob(*denoiser, request, job, *flag, sink);
        onGui([this, outcome = std::move(outcome), job] {
            endJob(job, outcome.cancelled);
            emit samplingFinished(outcome);
        });
    });
    return job;
}

int ModelSession::startLatencyProfile()
{
    if (!denoiser_)
        return 0;
    CancelFlag flag;
    const int job = registerJob(tr("Measuring latency per width"), &flag);
    auto denoiser = denoiser_;
    onWorker([this, denoiser, job, flag] {
        LatencyProfile profile;
        try {
            profile = measureLatency(*denoiser, LatencySettings{}, *flag, [this, job](int done, int total) {
                onGui([this, job, done, total] { emit jobProgress(job, done, total); });
            });
        } catch (const std::exception&) {
            profile = {};
        }
        onGui([this, profile, job, denoiser] {
            const bool cancelled = profile.empty();
            endJob(job, cancelled);
            // A profile measured on a model that has since been replaced is dropped.
            if (!cancelled && denoiser == denoiser_) {
                latency_ = profile;
                emit latencyMeasured(latency_);
            }
        });
    });
    return job;
}

int ModelSession::startQualityRun(const QualityRequest& request)
{
    if (!denoiser_)
        return 0;
    CancelFlag flag;
    const int job = registerJob(tr("Measuring FID"), &flag);
    auto denoiser = denoiser_;
    onWorker([this, denoiser, memory = qualityMemory_, request, job, flag] {
        QString error;
        try {
            runQualityJob(denoiser, *memory, request, *flag, [this, job, request](const MeasuredFid& estimate) {
                onGui([this, job, estimate, total = request.maxSamples] {
                    if (!isRunning(job))
                        return;
                    emit jobProgress(job, estimate.samples, total);
                    emit qualityEstimated(job, estimate);
                });
            });
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        onGui([this, job, error, flag] {
            const bool cancelled = flag->load();
            endJob(job, cancelled);
            if (!error.isEmpty() && !cancelled)
                emit qualityFailed(job, error);
        });
    });
    return job;
}

int ModelSession::startSearch(const SearchRequest& request)
{
    if (!denoiser_)
        return 0;
    CancelFlag flag;
    const int job = registerJob(tr("Searching schedules"), &flag);
    auto denoiser = denoiser_;
    onWorker([this, denoiser, memory = qualityMemory_, request, job, flag] {
        QString error;
        bool completed = false;
        try {
            completed = runSearchJob(
                denoiser, *memory, request, *flag,
                [this, job](const SearchSnapshot& snapshot) {
                    onGui([this, job, snapshot] {
                        if (!isRunning(job))
                            return;
                        emit jobProgress(job, snapshot.generation + 1, snapshot.generations + 1);
                        emit searchProgress(job, snapshot);
                    });
                },
                [this, job](const SearchSnapshot& snapshot) {
                    onGui([this, job, snapshot] {
                        if (isRunning(job))
                            emit searchValidated(job, snapshot);
                    });
                });
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        onGui([this, job, error, completed] {
            const bool cancelled = !completed && error.isEmpty();
            endJob(job, cancelled);
            emit searchEnded(job, cancelled, error);
        });
    });
    return job;
}

}  // namespace ddsm::ui
