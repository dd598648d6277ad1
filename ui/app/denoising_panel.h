#pragma once
// The Denoising view: the sample grid of the shared seed, step by step. Frames
// appear as the worker computes them; Play/Pause/Step and a slider scrub the
// steps, showing x_t or the predicted x0 with the step's width and timestep.
// Clicking a tile enlarges that sample.
#include "sampling_request.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace ddsm::ui {

class ElidedLabel;
class PixelView;
class SamplerForm;

class DenoisingPanel : public QWidget {
    Q_OBJECT
public:
    explicit DenoisingPanel(QWidget* parent = nullptr);

    SamplerForm* form() const { return form_; }

    // A new run replaces the frames of the previous one.
    void beginRun(int job, int steps);
    // Frames of other jobs are ignored.
    void addFrame(const StepFrame& frame);
    void finishRun(const SamplingOutcome& outcome);

    int job() const { return job_; }
    const std::vector<StepFrame>& frames() const { return frames_; }
    // The finished grid of the last complete run (null while running or after a cancel).
    const QImage& finishedGrid() const { return finishedGrid_; }
    const SamplingOutcome& lastOutcome() const { return outcome_; }

    bool showsPredictedX0() const;
    void setShowsPredictedX0(bool x0);
    int currentStep() const;
    void setCurrentStep(int step);
    bool isPlaying() const;
    int zoomedSample() const { return zoomed_; }
    void zoomOnSample(int index);
    QString stepText() const;
    // What the empty grid says (e.g. that the run waits for a search).
    void setWaitingText(const QString& text);
    bool canStep() const;

public slots:
    void play();
    void pause();
    void stepForward();

signals:
    void rerunRequested();

private:
    void showCurrent();
    void updateControls();

    SamplerForm* form_;
    PixelView* grid_;
    PixelView* zoom_;
    ElidedLabel* zoomLabel_;
    ElidedLabel* stepLabel_;
    ElidedLabel* runLabel_;
    QSlider* slider_;
    QPushButton* play_;
    QPushButton* step_;
    QPushButton* rerun_;
    QCheckBox* x0Toggle_;
    QTimer* playTimer_;

    int job_ = 0;
    int steps_ = 0;
    int zoomed_ = 0;  // the first sample is enlarged until another is clicked
    std::vector<StepFrame> frames_;
    QImage finishedGrid_;
    SamplingOutcome outcome_;
};

}  // namespace ddsm::ui
