#include "denoising_panel.h"

#include "elided_label.h"
#include "pixel_view.h"
#include "sampler_form.h"
#include "schedule/width.h"

#include <QCheckBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace ddsm::ui {

DenoisingPanel::DenoisingPanel(QWidget* parent) : QWidget(parent)
{
    form_ = new SamplerForm;
    rerun_ = new QPushButton(tr("Run again"));
    rerun_->setToolTip(tr("Runs start by themselves when the schedule or the settings change"));
    connect(rerun_, &QPushButton::clicked, this, &DenoisingPanel::rerunRequested);
    runLabel_ = new ElidedLabel(QString(), 3, 14);

    // The settings are a narrow column: the images get the room.
    auto* settingsBox = new QGroupBox(tr("Sampler"));
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->addWidget(form_);
    settingsLayout->addWidget(rerun_);
    settingsLayout->addWidget(runLabel_);
    settingsLayout->addStretch(1);
    settingsBox->setMaximumWidth(260);
    settingsBox->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);

    grid_ = new PixelView;
    grid_->setPlaceholder(tr("Open a model (File > Open Model…): its samples appear here step by step"));
    connect(grid_, &PixelView::clickedAt, this, [this](const QPoint& p) {
        if (!frames_.empty())
            zoomOnSample(frames_.front().grid.tileAt(p.x(), p.y()));
    });
    zoom_ = new PixelView;
    zoom_->setPlaceholder(tr("Click a sample to enlarge it"));
    zoomLabel_ = new ElidedLabel(QString(), 1, 10);
    zoomLabel_->setAlignment(Qt::AlignCenter);

    play_ = new QPushButton(tr("Play"));
    connect(play_, &QPushButton::clicked, this, [this] { isPlaying() ? pause() : play(); });
    step_ = new QPushButton(tr("Step"));
    step_->setToolTip(tr("Next step (pauses playback; after the last step, back to the first)"));
    connect(step_, &QPushButton::clicked, this, &DenoisingPanel::stepForward);
    // Both buttons keep one size whatever their text says.
    const int buttonWidth = std::max({play_->sizeHint().width(), QPushButton(tr("Pause")).sizeHint().width(),
                                      step_->sizeHint().width()});
    play_->setFixedWidth(buttonWidth);
    step_->setFixedWidth(buttonWidth);
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, 0);
    connect(slider_, &QSlider::valueChanged, this, &DenoisingPanel::showCurrent);
    x0Toggle_ = new QCheckBox(tr("Predicted x0"));
    x0Toggle_->setToolTip(tr("Show the network's prediction of the clean image instead of the noisy state x_t"));
    connect(x0Toggle_, &QCheckBox::toggled, this, &DenoisingPanel::showCurrent);
    stepLabel_ = new ElidedLabel(QString(), 1, 20);

    playTimer_ = new QTimer(this);
    playTimer_->setInterval(120);
    connect(playTimer_, &QTimer::timeout, this, [this] {
        if (currentStep() + 1 < int(frames_.size()))
            setCurrentStep(currentStep() + 1);
        else if (steps_ > 0 && int(frames_.size()) >= steps_)
            pause();  // at the end of a complete run; otherwise wait for frames
    });

    auto* controls = new QHBoxLayout;
    controls->addWidget(play_);
    controls->addWidget(step_);
    controls->addWidget(slider_, 1);
    controls->addWidget(x0Toggle_);

    // Grid and zoom share the row equally; both scale by whole factors.
    auto* images = new QHBoxLayout;
    images->addWidget(grid_, 3);
    auto* zoomColumn = new QVBoxLayout;
    zoomColumn->addWidget(zoom_, 1);
    zoomColumn->addWidget(zoomLabel_);
    images->addLayout(zoomColumn, 2);

    auto* viewer = new QVBoxLayout;
    viewer->setContentsMargins(0, 0, 0, 0);
    viewer->addLayout(images, 1);
    viewer->addLayout(controls);
    viewer->addWidget(stepLabel_);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(viewer, 1);
    layout->addWidget(settingsBox);
    updateControls();
}

void DenoisingPanel::setWaitingText(const QString& text)
{
    grid_->setPlaceholder(text);
}

void DenoisingPanel::beginRun(int job, int steps)
{
    job_ = job;
    steps_ = steps;
    frames_.clear();
    frames_.reserve(size_t(steps));
    finishedGrid_ = QImage();
    outcome_ = SamplingOutcome{};
    slider_->setRange(0, 0);
    runLabel_->setText(tr("Running…"));
    showCurrent();
    updateControls();
}

void DenoisingPanel::addFrame(const StepFrame& frame)
{
    if (frame.job != job_)
        return;
    // Follow the newest frame unless the user scrubbed back.
    const bool following = frames_.empty() || currentStep() == int(frames_.size()) - 1;
    frames_.push_back(frame);
    slider_->setRange(0, int(frames_.size()) - 1);
    if (following && !isPlaying())
        slider_->setValue(int(frames_.size()) - 1);
    showCurrent();
    updateControls();
}

void DenoisingPanel::finishRun(const SamplingOutcome& outcome)
{
    if (outcome.job != job_)
        return;
    outcome_ = outcome;
    if (outcome.failed)
        runLabel_->setText(tr("Failed: %1").arg(outcome.error));
    else if (outcome.cancelled)
        runLabel_->setText(tr("Cancelled after %n step(s)", nullptr, outcome.stepsRun));
    else {
        finishedGrid_ = outcome.finalGrid;
        runLabel_->setText(tr("%1 steps in %2 s\n%3")
                               .arg(outcome.stepsRun)
                               .arg(outcome.seconds, 0, 'f', 2)
                               .arg(QString::fromStdString(outcome.samplerText)));
    }
    updateControls();
}

bool DenoisingPanel::showsPredictedX0() const { return x0Toggle_->isChecked(); }
void DenoisingPanel::setShowsPredictedX0(bool x0) { x0Toggle_->setChecked(x0); }
int DenoisingPanel::currentStep() const { return slider_->value(); }
void DenoisingPanel::setCurrentStep(int step) { slider_->setValue(step); }
bool DenoisingPanel::isPlaying() const { return playTimer_->isActive(); }

void DenoisingPanel::play()
{
    if (!frames_.empty() && currentStep() >= int(frames_.size()) - 1 && int(frames_.size()) >= steps_)
        setCurrentStep(0);  // replay a finished run from the start
    playTimer_->start();
    updateControls();
}

void DenoisingPanel::pause()
{
    playTimer_->stop();
    updateControls();
}

void DenoisingPanel::stepForward()
{
    pause();
    if (currentStep() + 1 < int(frames_.size()))
        setCurrentStep(currentStep() + 1);
    else if (!frames_.empty() && int(frames_.size()) >= steps_)
        setCurrentStep(0);  // a finished run steps round to its start
}

void DenoisingPanel::zoomOnSample(int index)
{
    zoomed_ = index;
    showCurrent();
}

QString DenoisingPanel::stepText() const { return stepLabel_->text(); }
bool DenoisingPanel::canStep() const { return step_->isEnabled(); }

void DenoisingPanel::showCurrent()
{
    const int step = currentStep();
    if (frames_.empty() || step >= int(frames_.size())) {
        grid_->setImage(QImage());
        zoom_->setImage(QImage());
        stepLabel_->setText(steps_ > 0 ? tr("Waiting for the first step…") : QString());
        return;
    }
    const StepFrame& frame = frames_[size_t(step)];
    const QImage& image = showsPredictedX0() ? frame.x0 : frame.xt;
    grid_->setImage(image);
    stepLabel_->setText(tr("step %1 of %2 · t = %3 · width %4 · showing %5")
                            .arg(frame.step + 1)
                            .arg(frame.steps)
                            .arg(frame.timestep)
                            .arg(QString::fromStdString(formatWidth(frame.width)))
                            .arg(showsPredictedX0() ? tr("predicted x0") : tr("x_t after the step")));
    if (zoomed_ >= 0 && zoomed_ < frame.grid.count) {
        zoom_->setImage(image.copy(frame.grid.tileRect(zoomed_)));
        zoomLabel_->setText(tr("sample %1").arg(zoomed_));
    } else {
        zoom_->setImage(QImage());
        zoomLabel_->clear();
    }
}

void DenoisingPanel::updateControls()
{
    play_->setText(isPlaying() ? tr("Pause") : tr("Play"));
    play_->setEnabled(!frames_.empty());
    // Stepping works while paused at any frame; only a run still waiting for its next frame has nothing to show.
    step_->setEnabled(!frames_.empty() && (currentStep() + 1 < int(frames_.size()) || int(frames_.size()) >= steps_));
}

}  // namespace ddsm::ui
