// MainWindow: quality numbers beyond the counted costs. The measured FID that
// follows edits (debounced, restarted on every edit), the files shipped beside
// a model (distance predictor, step-importance profile), and the schedule search.
#include "main_window.h"

#include "api/ddsm_api.h"
#include "base/sampler_tag.h"

#include "compare_panel.h"
#include "denoising_panel.h"
#include "sampler_form.h"
#include "metrics_panel.h"
#include "model_panel.h"
#include "model_session.h"
#include "quality_plot.h"
#include "quality_predictor.h"
#include "schedule_figures.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "timeline/schedule_document_model.h"

#include "evaluation/step_importance.h"
#include "schedule/respacing.h"
#include "schedule/schedule_file.h"
#include "search/schedule_export.h"

#include "timeline/schedule_timeline.h"

#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <exception>

namespace ddsm::ui {

namespace {

QString sidecarPath(const QString& modelPath, const QString& suffix)
{
    const QFileInfo info(modelPath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

}  // namespace

void MainWindow::connectQualityJobs()
{
    connect(qualityTimer_, &QTimer::timeout, this, &MainWindow::startBackgroundQualityRun);
    // The uniform widths' predictions depend on the predictor, the model and the steps, not on edits.
    connect(document_, &ScheduleDocumentModel::stepsChanged, this, &MainWindow::refreshUniformPredictions);
    connect(session_, &ModelSession::samplingFinished, this, [this](const SamplingOutcome& outcome) {
        // The user sees samples first; the FID follows once the grid is done.
        if (outcome.job == denoiseJob_ && !outcome.cancelled && !outcome.failed && backgroundQuality_)
            qualityTimer_->start();
    });
    connect(session_, &ModelSession::qualityEstimated, this, [this](int job, const MeasuredFid& estimate) {
        if (job != qualityJob_)
            return;
        lastMeasured_ = estimate;
        metricsPanel_->setMeasuredFid(estimate);
        if (!session_->hasModel())
            return;
        QualityPlot::Point point;
        point.schedule = StepSchedule::fromWidths(estimate.widthsByTimestep);
        point.gflops = computeScheduleFigures(session_->model(), point.schedule, estimate.steps, {}).gflopsPerImage;
        point.fid = estimate.fid;
        point.low = estimate.ciLow;
        point.high = estimate.ciHigh;
        point.label = document_->name().isEmpty() ? tr("measured schedule") : document_->name();
        point.kind = QualityPlot::Kind::Measured;
        point.samples = estimate.samples;
        metricsPanel_->plot()->addMeasured(point, estimate.steps);
    });
    connect(session_, &ModelSession::qualityFailed, this, [this](int job, const QString& message) {
        if (job == qualityJob_)
            metricsPanel_->setMeasuredFidUnavailable(message);
    });
    connect(session_, &ModelSession::searchProgress, this, [this](int job, const SearchSnapshot& snapshot) {
        if (job != searchJob_ || !session_->hasModel())
            return;
        searchPanel_->showSnapshot(snapshot);
        const int T = session_->model().T();
        const auto timesteps = respacedTimesteps(T, searchSteps_);
        auto points = [&](const std::vector<SearchPoint>& from) {
            std::vector<QualityPlot::Point> out;
            for (const auto& p : from)
                out.push_back({scheduleFromStepWidths(T, timesteps, p.stepWidths), p.gflopsPerImage, p.fid, p.fid, p.fid,
                               tr("search %1% %2").arg(100 * p.relativeCost, 0, 'f', 0).arg(snapshot.costName()),
                               QualityPlot::Kind::SearchScore, snapshot.samplesPerCandidate});
            return out;
        };
        metricsPanel_->plot()->setSearch(points(snapshot.evaluated), points(snapshot.front), searchSteps_);
    });
    connect(session_, &ModelSession::searchValidated, this, [this](int job, const SearchSnapshot& snapshot) {
        if (job == searchJob_)
            searchPanel_->showValidation(snapshot);
    });
    connect(session_, &ModelSession::searchEnded, this, [this](int job, bool cancelled, const QString& error) {
        if (job != searchJob_)
            return;
        searchJob_ = 0;
        searchPanel_->showEnded(cancelled, error);
        if (backgroundQuality_ && !userWorkRunning())
            resumeBackgroundQuality();
    });
    connect(searchPanel_, &SearchPanel::startRequested, this, &MainWindow::startSearch);
    connect(searchPanel_, &SearchPanel::cancelRequested, this, [this] { session_->cancel(searchJob_); });
    connect(searchPanel_, &SearchPanel::scheduleChosen, this, &MainWindow::applyStepWidths);
    connect(metricsPanel_->plot(), &QualityPlot::scheduleClicked, this,
            [this](const StepSchedule& schedule, const QString& label) {
                if (schedule.T() == document_->T() && schedule != document_->schedule())
                    document_->setSchedule(schedule, label, tr("Load schedule from the quality plot"));
            });
}

void MainWindow::setBackgroundQuality(bool enabled, int maxSamples, int batch)
{
    backgroundQuality_ = enabled;
    qualityMaxSamples_ = maxSamples;
    qualityBatch_ = batch;
    QSettings().setValue("metrics/backgroundFid", enabled);
    if (backgroundQualityAction_ && backgroundQualityAction_->isChecked() != enabled)
        backgroundQualityAction_->setChecked(enabled);
    if (!enabled) {
        qualityTimer_->stop();
        qualityPaused_ = false;
        session_->cancel(qualityJob_);
        metricsPanel_->setMeasuredFidUnavailable(tr("Background FID is off (Run menu)."));
    } else if (session_->hasModel()) {
        startBackgroundQualityRun();
    }
}

bool MainWindow::userWorkRunning() const
{
    return searchJob_ != 0 || session_->isRunning(denoiseJob_) || comparePanel_->isRunning();
}

void MainWindow::pauseBackgroundQuality(const QString& why)
{
    if (!backgroundQuality_)
        return;
    // Cancelled, not suspended: on one worker thread a running measurement
    // would hold the user's job back until its last batch.
    const bool wasMeasuring = session_->isRunning(qualityJob_) || qualityTimer_->isActive();
    qualityTimer_->stop();
    session_->cancel(qualityJob_);
    if (wasMeasuring || qualityPaused_ || qualityJob_ == 0) {
        qualityPaused_ = true;
        metricsPanel_->setMeasuredFidUnavailable(why);
    }
}

void MainWindow::resumeBackgroundQuality()
{
    qualityPaused_ = false;
    if (backgroundQuality_ && session_->hasModel())
        qualityTimer_->start();
}

void MainWindow::startBackgroundQualityRun()
{
    if (!backgroundQuality_)
        return;
    if (userWorkRunning()) {
        // The user's work first; jobEnded resumes the measurement after it.
        pauseBackgroundQuality(searchJob_ ? tr("Paused while the search runs; measuring resumes after it.")
                                          : tr("Paused: work you asked for runs first; measuring resumes after it."));
        return;
    }
    startQualityRun();
}

bool MainWindow::isSettled() const
{
    return !session_->isBusy() && !rerunTimer_->isActive() && !qualityTimer_->isActive() && !qualityPaused_;
}

void MainWindow::invalidateMeasuredQuality()
{
    qualityTimer_->stop();
    session_->cancel(qualityJob_);
    qualityJob_ = 0;
    if (backgroundQuality_)
        metricsPanel_->setMeasuredFidUnavailable(tr("Waiting for the edits to settle and the denoising run to finish."));
}

void MainWindow::startQualityRun()
{
    qualityTimer_->stop();
    qualityPaused_ = false;
    if (!session_->hasModel() || document_->T() == 0)
        return;
    if (searchJob_) {
        metricsPanel_->setMeasuredFidUnavailable(tr("Paused while the search runs."));
        return;
    }
    session_->cancel(qualityJob_);
    QualityRequest request;
    request.sampler = samplerChoice();
    request.widthsByTimestep = document_->schedule().widths();
    request.maxSamples = qualityMaxSamples_;
    request.batch = std::min(qualityBatch_, qualityMaxSamples_);
    request.minSamples = std::min(request.minSamples, qualityMaxSamples_);
    request.featureStore = api::defaultFeatureStore();
    request.modelPath = session_->model().path.toStdString();
    qualityJob_ = session_->startQualityRun(request);
    metricsPanel_->setMeasuredFidUnavailable(tr("Measuring in the background: the first batch is being sampled."));
}

void MainWindow::startSearch()
{
    if (!session_->hasModel()) {
        reportError(tr("Could not start the search"), tr("Open a model first."));
        return;
    }
    SearchRequest request = searchPanel_->request();
    request.sampler = samplerChoice();
    if (searchPanel_->latencyCost()) {
        const LatencyProfile& latency = session_->latency();
        for (double w : session_->model().widths)
            if (const auto ms = latency.msAt(w))
                request.latencyMsPerWidth.push_back(*ms);
        if (request.latencyMsPerWidth.size() != session_->model().widths.size()) {
            reportError(tr("Could not start the search"),
                        tr("A latency budget needs every width's measured latency: wait for the Model dock's "
                           "measurement (Run > Measure Latency per Width)."));
            return;
        }
    }
    // More bins than sampler steps is one gene per step.
    if (request.granularity.startsWith(QLatin1String("bins:"))
        && request.granularity.mid(5).toInt() > request.sampler.steps)
        request.granularity = QStringLiteral("steps");
    // The search needs the worker to itself; the background FID resumes after it.
    session_->cancel(searchJob_);
    searchJob_ = -1;  // user work from now on, before the job has its id
    pauseBackgroundQuality(tr("Paused while the search runs; measuring resumes after it."));
    searchSteps_ = request.sampler.steps;
    searchJob_ = session_->startSearch(request);
    searchPanel_->setRunning(searchJob_ != 0);
    metricsPanel_->plot()->setSearch({}, {}, searchSteps_);
}

void MainWindow::applyStepWidths(const std::vector<double>& stepWidths, const QString& name)
{
    if (!session_->hasModel() || stepWidths.empty())
        return;
    const int T = document_->T();
    const int steps = int(stepWidths.size());
    if (steps > T)
        return;
    const StepSchedule schedule = scheduleFromStepWidths(T, respacedTimesteps(T, steps), stepWidths);
    if (document_->steps() != steps)
        document_->setSteps(steps);
    document_->setSchedule(schedule, name, tr("Load %1").arg(name));
}

bool MainWindow::loadImportanceProfile(const QString& path, bool distanceChanges)
{
    try {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw std::runtime_error(path.toStdString() + ": cannot be read");
        const StepImportance importance = importanceFromCsv(file.readAll().toStdString(), path.toStdString());
        if (!session_->hasModel() || importance.binEdges.back() != session_->model().T())
            throw std::runtime_error(path.toStdString() + ": the profile covers T = " +
                                     std::to_string(importance.binEdges.back()) + " timesteps, the model has T = " +
                                     std::to_string(session_->model().T()));
        // The narrowest width departs most: its profile shows where width matters.
        // What narrowing a bin costs in FID is what a schedule pays, so it is
        // preferred; the eps departure is the cheaper stand-in.
        const double narrowest = importance.widths.back();
        const bool distance = distanceChanges && !importance.distanceChange.empty();
        const auto overlay = importancePerTimestep(
            importance, narrowest, distance ? ImportanceMeasure::DistanceChange : ImportanceMeasure::EpsDeparture);
        const QString label = distance ? tr("measured importance: FID change with only this bin at width %1").arg(narrowest)
                                       : tr("measured importance: eps departure at width %1").arg(narrowest);
        if (auto* timeline = qobject_cast<ScheduleTimeline*>(schedulePanel_->editor()))
            timeline->setImportanceOverlay(overlay, label);
        return true;
    } catch (const std::exception& e) {
        reportError(tr("Could not load importance profile"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::loadModelSidecars(const ModelInfo& model)
{
    // `ddsm predictor fit` and `ddsm importance` outputs kept beside the model
    // file load with it, so the first launch already predicts and overlays.
    // Both are measured under one sampler and hold for it alone:
    // NAME-predictor-TAG.json and NAME-importance-TAG.csv (TAG e.g. ddpm100,
    // base/sampler_tag.h) load for the sampler in use; untagged files are
    // taken when their recorded sampler matches.
    const SamplerChoice sampler = samplerChoice();
    const std::string tag = samplerTag(sampler.kind, sampler.steps, sampler.eta);
    sidecarTag_ = tag;
    predictor_.reset();
    if (auto* timeline = qobject_cast<ScheduleTimeline*>(schedulePanel_->editor()))
        timeline->setImportanceOverlay({}, QString());
    const QString qtag = QString::fromStdString(tag);
    QStringList missing;
    QString predictor = sidecarPath(model.path, QStringLiteral("-predictor-") + qtag + QStringLiteral(".json"));
    if (!QFileInfo::exists(predictor))
        predictor = sidecarPath(model.path, QStringLiteral("-predictor.json"));
    if (QFileInfo::exists(predictor) && loadQualityPredictor(predictor) && predictor_->samplerTag() != tag)
        predictor_.reset();
    if (!predictor_)
        missing << tr("quality predictor");
    // The eps departure is measured on real noised images, not sampled, so an
    // untagged profile's departure holds for every sampler; its FID changes
    // only for the sampler it names.
    const QString tagged = sidecarPath(model.path, QStringLiteral("-importance-") + qtag + QStringLiteral(".csv"));
    const QString untagged = sidecarPath(model.path, QStringLiteral("-importance.csv"));
    if (QFileInfo::exists(tagged))
        loadImportanceProfile(tagged);
    else if (QFileInfo::exists(untagged))
        loadImportanceProfile(untagged, false);
    else
        missing << tr("importance profile");
    refreshUniformPredictions();
    refreshPredictedQuality();
    if (!missing.isEmpty())
        statusBar()->showMessage(tr("No %1 measured for the sampler %2 beside %3 (predicted FID and the timeline's "
                                    "importance need NAME-predictor-%2.json / NAME-importance-%2.csv).")
                                     .arg(missing.join(tr(" or ")), qtag, QFileInfo(model.path).fileName()),
                                 15000);
}

void MainWindow::takeModelStartingSchedule(const ModelInfo& model)
{
    // A model may ship the schedule to start from (NAME.schedule.json, as the
    // shipped model and `ddsm import-checkpoint` do), with the sampler it was
    // searched for: a new user first sees the schedule and its saving.
    if (pendingSchedule_ || recoveringAutosave_)
        return;
    const QString path = sidecarPath(model.path, QStringLiteral(".schedule.json"));
    if (!QFileInfo::exists(path))
        return;
    try {
        ScheduleDocument document = loadSchedule(path.toStdString(), model.T());
        if (document.sampler && !pendingSampler_) {
            SamplerChoice sampler = denoisingPanel_->form()->choice();
            sampler.kind = document.sampler->kind;
            sampler.steps = document.sampler->steps;
            sampler.eta = document.sampler->eta;
            pendingSampler_ = sampler;
        }
        pendingSchedule_ = std::move(document);
    } catch (const std::exception& e) {
        statusBar()->showMessage(tr("Starting schedule not loaded: %1").arg(QString::fromStdString(e.what())), 15000);
    }
}

void MainWindow::reloadSidecarsIfSamplerChanged()
{
    if (!session_->hasModel())
        return;
    const SamplerChoice sampler = samplerChoice();
    if (samplerTag(sampler.kind, sampler.steps, sampler.eta) != sidecarTag_)
        loadModelSidecars(session_->model());
}

void MainWindow::refreshUniformPredictions()
{
    std::vector<QualityPlot::Point> points;
    if (predictor_ && session_->hasModel()) {
        const ModelInfo& model = session_->model();
        for (double w : model.widths) {
            QualityPlot::Point p;
            p.schedule = StepSchedule::uniform(model.T(), w);
            const auto quality = predictor_->predict(p.schedule, document_->steps());
            if (!quality) {
                points.clear();  // not calibrated for these steps
                break;
            }
            p.gflops = computeScheduleFigures(model, p.schedule, document_->steps(), {}).gflopsPerImage;
            p.fid = p.low = p.high = quality->value;
            p.label = tr("uniform width %1").arg(w);
            p.kind = QualityPlot::Kind::Predicted;
            points.push_back(p);
        }
    }
    metricsPanel_->plot()->setUniformPredictions(points);
}

}  // namespace ddsm::ui
