#include "quality_work.h"

#include "api/ddsm_api.h"
#include "base/sampler_tag.h"

#include "metrics_panel.h"
#include "model_session.h"
#include "quality_plot.h"
#include "quality_predictor.h"
#include "schedule_figures.h"
#include "schedule_panel.h"
#include "search_panel.h"
#include "timeline/schedule_document_model.h"
#include "timeline/schedule_timeline.h"

#include <nlohmann/json.hpp>

#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace ddsm::ui {

namespace {

QString sidecarPath(const QString& modelPath, const QString& suffix)
{
    const QFileInfo info(modelPath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

}  // namespace

QualityWork::QualityWork(Parts parts, QObject* parent) : QObject(parent), parts_(std::move(parts))
{
    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(kBackgroundDelayMs);
    connect(timer_, &QTimer::timeout, this, &QualityWork::startBackgroundRun);
    background_ = QSettings().value("metrics/backgroundFid", true).toBool();
    if (!background_)
        parts_.metrics->setMeasuredFidUnavailable(backgroundOffText());
    connectJobs();
}

QualityWork::~QualityWork() = default;

void QualityWork::connectJobs()
{
    ModelSession* session = parts_.session;
    MetricsPanel* metrics = parts_.metrics;
    SearchPanel* search = parts_.search;
    // The uniform widths' predictions depend on the predictor, the model and the steps, not on edits.
    connect(parts_.document, &ScheduleDocumentModel::stepsChanged, this, &QualityWork::refreshUniformPredictions);
    connect(session, &ModelSession::qualityEstimated, this, [this, session, metrics](int job, const MeasuredFid& estimate) {
        if (job != qualityJob_)
            return;
        lastMeasured_ = estimate;
        metrics->setMeasuredFid(estimate);
        if (!estimate.storeProblem.isEmpty() && estimate.storeProblem != shownStoreProblem_) {
            shownStoreProblem_ = estimate.storeProblem;  // once, not after every batch
            emit statusMessage(tr("Full width's images are kept for this session only: %1").arg(estimate.storeProblem),
                               15000);
        }
        if (!session->hasModel())
            return;
        QualityPlot::Point point;
        point.schedule = StepSchedule::fromWidths(estimate.widthsByTimestep);
        point.gflops = computeScheduleFigures(session->model(), point.schedule, estimate.steps, {}).gflopsPerImage;
        point.fid = estimate.fid;
        point.low = estimate.ciLow;
        point.high = estimate.ciHigh;
        point.label = parts_.document->name().isEmpty() ? tr("measured schedule") : parts_.document->name();
        point.kind = QualityPlot::Kind::Measured;
        point.samples = estimate.samples;
        metrics->plot()->addMeasured(point, estimate.steps);
    });
    connect(session, &ModelSession::qualityFailed, this, [this, metrics](int job, const QString& message) {
        if (job == qualityJob_)
            metrics->setMeasuredFidUnavailable(message);
    });
    connect(session, &ModelSession::searchProgress, this, [this, session, metrics, search](int job, const SearchSnapshot& snapshot) {
        if (job != searchJob_ || !session->hasModel())
            return;
        search->showSnapshot(snapshot);
        const int T = session->model().T();
        auto points = [&](const std::vector<SearchPoint>& from) {
            std::vector<QualityPlot::Point> out;
            for (const auto& p : from)
                out.push_back({StepSchedule::fromWidths(api::widthsByTimestep(T, p.stepWidths)), p.gflopsPerImage, p.fid, p.fid, p.fid,
                               tr("search %1% %2").arg(100 * p.relativeCost, 0, 'f', 0).arg(snapshot.costName()),
                               QualityPlot::Kind::SearchScore, snapshot.samplesPerCandidate});
            return out;
        };
        metrics->plot()->setSearch(points(snapshot.evaluated), points(snapshot.front), searchSteps_);
    });
    connect(session, &ModelSession::searchValidated, this, [this, search](int job, const SearchSnapshot& snapshot) {
        if (job == searchJob_)
            search->showValidation(snapshot);
    });
    connect(session, &ModelSession::searchEnded, this, [this, search](int job, bool cancelled, const QString& error) {
        if (job != searchJob_)
            return;
        searchJob_ = 0;
        search->showEnded(cancelled, error);
        if (background_ && !userWorkRunning())
            resume();
    });
    connect(search, &SearchPanel::startRequested, this, &QualityWork::startSearch);
    connect(search, &SearchPanel::cancelRequested, this, [this, session] { session->cancel(searchJob_); });
    connect(search, &SearchPanel::scheduleChosen, this, &QualityWork::stepWidthsChosen);
}

void QualityWork::setBackground(bool enabled, int maxSamples, int batch)
{
    const bool changed = enabled != background_;
    background_ = enabled;
    maxSamples_ = maxSamples;
    batch_ = batch;
    QSettings().setValue("metrics/backgroundFid", enabled);
    if (changed)
        emit backgroundChanged(enabled);
    if (!enabled) {
        timer_->stop();
        paused_ = false;
        parts_.session->cancel(qualityJob_);
        parts_.metrics->setMeasuredFidUnavailable(tr("Background FID is off (Run menu)."));
    } else if (parts_.session->hasModel()) {
        startBackgroundRun();
    }
}

QString QualityWork::backgroundOffText()
{
    return tr("Background FID is off (Run > Measure FID in the Background).");
}

bool QualityWork::pending() const { return timer_->isActive() || paused_; }

bool QualityWork::userWorkRunning() const { return searchJob_ != 0 || parts_.otherUserWorkRunning(); }

void QualityWork::pause(const QString& why)
{
    if (!background_)
        return;
    // Cancelled, not suspended: on one worker thread a running measurement
    // would hold the user's job back until its last batch.
    const bool wasMeasuring = parts_.session->isRunning(qualityJob_) || timer_->isActive();
    timer_->stop();
    parts_.session->cancel(qualityJob_);
    if (wasMeasuring || paused_ || qualityJob_ == 0) {
        paused_ = true;
        parts_.metrics->setMeasuredFidUnavailable(why);
    }
}

void QualityWork::resumeIfIdle()
{
    if (paused_ && !userWorkRunning())
        resume();
}

void QualityWork::resume()
{
    paused_ = false;
    if (background_ && parts_.session->hasModel())
        timer_->start();
}

void QualityWork::startBackgroundRun()
{
    if (!background_)
        return;
    if (userWorkRunning()) {
        // The user's work first; resumeIfIdle starts the measurement after it.
        pause(searchJob_ ? tr("Paused while the search runs; measuring resumes after it.")
                         : tr("Paused: work you asked for runs first; measuring resumes after it."));
        return;
    }
    startMeasuring();
}

void QualityWork::invalidate()
{
    timer_->stop();
    parts_.session->cancel(qualityJob_);
    qualityJob_ = 0;
    if (background_)
        parts_.metrics->setMeasuredFidUnavailable(tr("Waiting for the edits to settle and the denoising run to finish."));
}

void QualityWork::holdForDenoising()
{
    timer_->stop();
    parts_.session->cancel(qualityJob_);
}

void QualityWork::denoisingFinished()
{
    // The user sees samples first; the FID follows once the grid is done.
    if (background_)
        timer_->start();
}

void QualityWork::startMeasuring()
{
    timer_->stop();
    paused_ = false;
    ModelSession* session = parts_.session;
    if (!session->hasModel() || parts_.document->T() == 0)
        return;
    if (searchJob_) {
        parts_.metrics->setMeasuredFidUnavailable(tr("Paused while the search runs."));
        return;
    }
    session->cancel(qualityJob_);
    QualityRequest request;
    request.sampler = parts_.sampler();
    request.widthsByTimestep = parts_.document->schedule().widths();
    request.maxSamples = maxSamples_;
    request.batch = std::min(batch_, maxSamples_);
    request.minSamples = std::min(request.minSamples, maxSamples_);
    request.featureStore = api::defaultFeatureStore();
    request.modelSha256 = session->model().sha256;
    qualityJob_ = session->startQualityRun(request);
    parts_.metrics->setMeasuredFidUnavailable(tr("Measuring in the background: the first batch is being sampled."));
}

void QualityWork::startSearch()
{
    ModelSession* session = parts_.session;
    if (!session->hasModel()) {
        emit errorReported(tr("Could not start the search"), tr("Open a model first."));
        return;
    }
    SearchRequest request = parts_.search->request();
    request.sampler = parts_.sampler();
    if (parts_.search->latencyCost()) {
        const LatencyProfile& latency = session->latency();
        for (double w : session->model().widths)
            if (const auto ms = latency.msAt(w))
                request.latencyMsPerWidth.push_back(*ms);
        if (request.latencyMsPerWidth.size() != session->model().widths.size()) {
            emit errorReported(tr("Could not start the search"),
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
    session->cancel(searchJob_);
    searchJob_ = -1;  // user work from now on, before the job has its id
    pause(tr("Paused while the search runs; measuring resumes after it."));
    searchSteps_ = request.sampler.steps;
    searchJob_ = session->startSearch(request);
    parts_.search->setRunning(searchJob_ != 0);
    parts_.metrics->plot()->setSearch({}, {}, searchSteps_);
}

bool QualityWork::loadPredictor(const QString& path)
{
    try {
        predictor_ = QualityPredictor::load(path);
    } catch (const std::exception& e) {
        emit errorReported(tr("Could not load quality predictor"), QString::fromStdString(e.what()));
        return false;
    }
    refreshUniformPredictions();
    refreshPredictedQuality();
    return true;
}

bool QualityWork::loadImportanceProfile(const QString& path, bool distanceChanges)
{
    try {
        const api::ImportanceProfile importance = api::readImportanceProfile(path.toStdString());
        ModelSession* session = parts_.session;
        if (!session->hasModel() || importance.binEdges.back() != session->model().T())
            throw std::runtime_error(path.toStdString() + ": the profile covers T = " +
                                     std::to_string(importance.binEdges.back()) + " timesteps, the model has T = " +
                                     std::to_string(session->model().T()));
        // The narrowest width departs most: its profile shows where width matters.
        // What narrowing a bin costs in FID is what a schedule pays, so it is
        // preferred; the eps departure is the cheaper stand-in.
        const double narrowest = importance.widths.back();
        const bool distance = distanceChanges && !importance.distanceChange.empty();
        const auto overlay = api::importancePerTimestep(importance, narrowest, distance);
        const QString label = distance ? tr("measured importance: FID change with only this bin at width %1").arg(narrowest)
                                       : tr("measured importance: eps departure at width %1").arg(narrowest);
        if (auto* timeline = qobject_cast<ScheduleTimeline*>(parts_.schedule->editor()))
            timeline->setImportanceOverlay(overlay, label);
        return true;
    } catch (const std::exception& e) {
        emit errorReported(tr("Could not load importance profile"), QString::fromStdString(e.what()));
        return false;
    }
}

void QualityWork::modelOpened(const ModelInfo& model)
{
    lastMeasured_.reset();
    loadSidecars(model);
}

void QualityWork::loadSidecars(const ModelInfo& model)
{
    // `ddsm predictor fit` and `ddsm importance` outputs kept beside the model
    // file load with it, so the first launch already predicts and overlays.
    // Both are measured under one sampler and hold for it alone:
    // NAME-predictor-TAG.json and NAME-importance-TAG.csv (TAG e.g. ddpm100,
    // base/sampler_tag.h) load for the sampler in use; untagged files are
    // taken when their recorded sampler matches.
    const SamplerChoice sampler = parts_.sampler();
    const std::string tag = samplerTag(sampler.kind, sampler.steps, sampler.eta);
    sidecarTag_ = tag;
    predictor_.reset();
    if (auto* timeline = qobject_cast<ScheduleTimeline*>(parts_.schedule->editor()))
        timeline->setImportanceOverlay({}, QString());
    const QString qtag = QString::fromStdString(tag);
    QStringList missing;
    QString predictor = sidecarPath(model.path, QStringLiteral("-predictor-") + qtag + QStringLiteral(".json"));
    if (!QFileInfo::exists(predictor))
        predictor = sidecarPath(model.path, QStringLiteral("-predictor.json"));
    if (QFileInfo::exists(predictor) && loadPredictor(predictor) && predictor_->samplerTag() != tag)
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
        emit statusMessage(tr("No %1 measured for the sampler %2 beside %3 (predicted FID and the timeline's "
                              "importance need NAME-predictor-%2.json / NAME-importance-%2.csv).")
                               .arg(missing.join(tr(" or ")), qtag, QFileInfo(model.path).fileName()),
                           15000);
}

void QualityWork::reloadSidecarsIfSamplerChanged()
{
    if (!parts_.session->hasModel())
        return;
    const SamplerChoice sampler = parts_.sampler();
    if (samplerTag(sampler.kind, sampler.steps, sampler.eta) != sidecarTag_)
        loadSidecars(parts_.session->model());
}

void QualityWork::refreshPredictedQuality()
{
    if (!predictor_) {
        if (parts_.session->hasModel() && !sidecarTag_.empty()) {
            // Said where the prediction would be: a status message is gone in seconds.
            const QString tag = QString::fromStdString(sidecarTag_);
            parts_.metrics->setPredictedQualityUnavailable(
                tr("No quality predictor measured for the sampler %1 beside the model: `ddsm predictor fit` "
                   "writes one (NAME-predictor-%1.json), or File > Load Quality Predictor.")
                    .arg(tag),
                tr("none for %1").arg(tag));
        } else {
            parts_.metrics->setPredictedQuality(std::nullopt);
        }
        return;
    }
    QString whyNot;
    if (const auto quality = predictor_->predict(parts_.document->schedule(), parts_.document->steps(), &whyNot))
        parts_.metrics->setPredictedQuality(quality);
    else
        parts_.metrics->setPredictedQualityUnavailable(whyNot);
}

void QualityWork::refreshUniformPredictions()
{
    std::vector<QualityPlot::Point> points;
    if (predictor_ && parts_.session->hasModel()) {
        const ModelInfo& model = parts_.session->model();
        const int steps = parts_.document->steps();
        for (double w : model.widths) {
            QualityPlot::Point p;
            p.schedule = StepSchedule::uniform(model.T(), w);
            const auto quality = predictor_->predict(p.schedule, steps);
            if (!quality) {
                points.clear();  // not calibrated for these steps
                break;
            }
            p.gflops = computeScheduleFigures(model, p.schedule, steps, {}).gflopsPerImage;
            p.fid = p.low = p.high = quality->value;
            p.label = tr("uniform width %1").arg(w);
            p.kind = QualityPlot::Kind::Predicted;
            points.push_back(p);
        }
    }
    parts_.metrics->plot()->setUniformPredictions(points);
}

std::string QualityWork::metricsJson(const StepSchedule& schedule, const SamplerChoice& sampler) const
{
    nlohmann::json metrics = nlohmann::json::object();
    if (predictor_) {
        if (const auto predicted = predictor_->predict(schedule, sampler.steps))
            metrics["predicted"] = {{"metric", predicted->metric.toStdString()},
                                    {"value", predicted->value},
                                    {"method", predicted->method.toStdString()}};
    }
    // Only a measurement of this very schedule and step count describes it.
    if (lastMeasured_ && lastMeasured_->steps == sampler.steps && lastMeasured_->widthsByTimestep == schedule.widths()) {
        const MeasuredFid& m = *lastMeasured_;
        nlohmann::json measured{{"fid", m.fid},
                                {"fid_ci95", {m.ciLow, m.ciHigh}},
                                {"samples", m.samples},
                                {"finished", m.finished},
                                {"feature_network", m.featureNetwork.toStdString()},
                                {"reference", m.reference.toStdString()},
                                {"sampler_seed", sampler.seed}};
        if (m.kid)
            measured["kid"] = *m.kid, measured["kid_interval"] = {m.kidLow, m.kidHigh};
        metrics["measured"] = measured;
    }
    return metrics.empty() ? std::string() : metrics.dump();
}

}  // namespace ddsm::ui
