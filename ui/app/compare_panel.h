#pragma once
// The Compare dock: the same noise under several schedules, side by side,
// pixel-aligned and scrubbed together, each labelled with its GFLOPs, plus a
// heat map of where two of them differ.
#include "model_info.h"
#include "sampling_request.h"
#include "schedule/step_schedule.h"

#include <QWidget>

#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QSlider;

namespace ddsm::ui {

class DifferenceView;
class ElidedLabel;
class ModelSession;
class PixelView;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(ModelSession* session, QWidget* parent = nullptr);

    void setModel(const ModelInfo& model);
    void setCurrentSchedule(const StepSchedule& schedule);
    void setSampler(const SamplerChoice& sampler);

    // Adds a pane for `schedule` (a preset or a schedule file).
    void addPane(const QString& label, const StepSchedule& schedule);
    int paneCount() const { return int(panes_.size()); }
    QString paneLabel(int pane) const;
    // Frames received so far for a pane.
    int paneFrames(int pane) const;
    QImage paneImage(int pane) const;
    bool isRunning() const;
    // Whether a comparison has been run since the model opened (edits then rerun it).
    bool hasRun() const { return hasRun_; }
    void setStep(int step);
    // The heat map of |a - b| for the panes chosen in the two combos.
    QImage differenceImage() const;
    void setDifferencePanes(int a, int b);
    std::pair<int, int> differencePanes() const;
    // The grey-level difference the colour bar's top stands for (0: no map).
    int differenceScaleMax() const;

public slots:
    // Samples every pane with the shared seed and settings; cancels a running comparison.
    void run();

signals:
    // A comparison began (user work: background measurement waits for it).
    void runStarted();
    // The user asked to add a pane from a schedule file.
    void addFromFileRequested();

private:
    struct Pane {
        QString label;
        StepSchedule schedule;  // empty: follows the current schedule
        int job = 0;
        std::vector<QImage> xt, x0;
        QWidget* box = nullptr;
        ElidedLabel* caption = nullptr;
        PixelView* view = nullptr;
    };
    void onFrame(const StepFrame& frame);
    void rebuildPresetChoices();
    void refreshCaptions();
    void showStep();
    void updateDifference();
    const StepSchedule& scheduleOf(const Pane& pane) const;
    Pane& createPane(const QString& label, const StepSchedule& schedule);

    ModelSession* session_;
    ModelInfo model_;
    StepSchedule current_;
    SamplerChoice sampler_;
    std::vector<Pane> panes_;
    bool hasRun_ = false;

    QComboBox* presets_;
    QPushButton* add_;
    QPushButton* addFile_;
    QPushButton* removeLast_;
    QPushButton* run_;
    QHBoxLayout* paneRow_;
    QSlider* slider_;
    QCheckBox* x0Toggle_;
    ElidedLabel* stepLabel_;
    QComboBox* diffA_;
    QComboBox* diffB_;
    DifferenceView* diffView_;
    ElidedLabel* diffLabel_;
};

}  // namespace ddsm::ui
