#pragma once
// The quality work beside the user's edits, so that the main window only
// wires it up: the measured FID that follows edits (debounced, cancelled and
// resumed around the work the user asked for), the quality predictor and the
// step-importance profile kept beside a model for the sampler in use, and the
// schedule search. It holds the background timer, the two job ids, the
// predictor and the last measurement.
#include "quality_estimates.h"
#include "sampler_choice.h"
#include "schedule/step_schedule.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QTimer;

namespace ddsm::ui {

class MetricsPanel;
class ModelSession;
class QualityPredictor;
class ScheduleDocumentModel;
class SchedulePanel;
class SearchPanel;
struct ModelInfo;

class QualityWork : public QObject {
    Q_OBJECT
public:
    // What it works with, all owned by the window.
    struct Parts {
        ModelSession* session = nullptr;
        ScheduleDocumentModel* document = nullptr;
        MetricsPanel* metrics = nullptr;
        SearchPanel* search = nullptr;
        SchedulePanel* schedule = nullptr;
        std::function<SamplerChoice()> sampler;          // the sampler in use (steps from the document)
        std::function<bool()> otherUserWorkRunning;      // denoising or a comparison queued or running
    };
    // After a finished denoising run, before the background FID starts sampling.
    static constexpr int kBackgroundDelayMs = 800;

    QualityWork(Parts parts, QObject* parent);
    ~QualityWork() override;

    // The measured FID that follows edits, with up to `maxSamples` images in
    // batches of `batch`; the choice is remembered (QSettings).
    void setBackground(bool enabled, int maxSamples, int batch);
    void setBackground(bool enabled) { setBackground(enabled, maxSamples_, batch_); }
    bool backgroundEnabled() const { return background_; }
    // What the window says while it is off.
    static QString backgroundOffText();
    // Waiting for user work to end (cancelled, to be started again).
    bool paused() const { return paused_; }
    // A measurement is about to start (its delay runs) or waits for user work.
    bool pending() const;
    int qualityJob() const { return qualityJob_; }
    int searchJob() const { return searchJob_; }
    // Work the user asked for (a search, denoising, a comparison) is queued or running.
    bool userWorkRunning() const;

    // Starts a measurement of the current schedule now (cancelling a running one).
    void startMeasuring();
    // Cancels a running or pending measurement while `why` (shown) lasts.
    void pause(const QString& why);
    // Call when a job ended: a paused measurement starts again once no user work is left.
    void resumeIfIdle();
    // The schedule or sampler changed: the measurement in hand is of the old one.
    void invalidate();
    // A denoising run starts: samples first, the measurement after them.
    void holdForDenoising();
    // The denoising run of the current settings finished.
    void denoisingFinished();

    void startSearch();

    // A calibrated distance predictor (`ddsm predictor`): each edit is then predicted.
    bool loadPredictor(const QString& path);
    // A step-importance CSV (`ddsm importance`), drawn over the timeline;
    // `distanceChanges` false: the eps departure even if the file has FID changes.
    bool loadImportanceProfile(const QString& path, bool distanceChanges = true);
    // A model opened: forget the old one's predictor and measurement, load the
    // files kept beside this one for the sampler in use.
    void modelOpened(const ModelInfo& model);
    // The sampler (or step count) changed: the files for the new one, if any.
    void reloadSidecarsIfSamplerChanged();
    void refreshPredictedQuality();
    void refreshUniformPredictions();
    // Quality known for `schedule` under `sampler` (predicted, measured of that
    // very schedule), as the schedule format's "metrics" JSON; empty if none.
    std::string metricsJson(const StepSchedule& schedule, const SamplerChoice& sampler) const;

signals:
    void errorReported(const QString& title, const QString& text);
    void statusMessage(const QString& text, int timeoutMs);
    void backgroundChanged(bool enabled);
    // A search result the user picked: per-step widths in denoising order.
    void stepWidthsChosen(const std::vector<double>& stepWidths, const QString& name);

private:
    void connectJobs();
    void startBackgroundRun();
    // Out of a pause: the measurement starts after its delay.
    void resume();
    void loadSidecars(const ModelInfo& model);

    Parts parts_;
    QTimer* timer_;
    std::unique_ptr<QualityPredictor> predictor_;
    std::optional<MeasuredFid> lastMeasured_;
    QString shownStoreProblem_;  // the feature store's last write failure the status bar showed
    std::string sidecarTag_;  // the sampler the loaded predictor and importance hold for
    int qualityJob_ = 0;
    int searchJob_ = 0;
    int searchSteps_ = 0;  // sampler steps of the search's points
    bool background_ = true;
    bool paused_ = false;
    int maxSamples_ = 2000;
    int batch_ = 100;
};

}  // namespace ddsm::ui
