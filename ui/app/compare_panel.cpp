#include "compare_panel.h"

#include "difference_map.h"
#include "difference_view.h"
#include "elided_label.h"
#include "model_session.h"
#include "pixel_view.h"
#include "schedule/presets.h"
#include "schedule_figures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include <algorithm>

namespace ddsm::ui {

ComparePanel::ComparePanel(ModelSession* session, QWidget* parent) : QWidget(parent), session_(session)
{
    presets_ = new QComboBox;
    presets_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    presets_->setMinimumContentsLength(10);
    presets_->setToolTip(tr("A preset schedule to add as a pane"));
    add_ = new QPushButton(tr("Add"));
    addFile_ = new QPushButton(tr("Add file…"));
    removeLast_ = new QPushButton(tr("Remove last"));
    run_ = new QPushButton(tr("Run comparison"));
    run_->setToolTip(tr("Samples every pane from the same noise (seed and settings of the Denoising view)"));
    connect(add_, &QPushButton::clicked, this, [this] {
        const auto presets = schedulePresets(model_.T(), model_.widths);
        const int index = presets_->currentIndex();
        if (index >= 0 && index < int(presets.size()))
            addPane(QString::fromStdString(presets[size_t(index)].name), presets[size_t(index)].schedule);
    });
    connect(addFile_, &QPushButton::clicked, this, &ComparePanel::addFromFileRequested);
    connect(removeLast_, &QPushButton::clicked, this, [this] {
        if (panes_.size() <= 2)
            return;  // the current schedule and full width always stay
        session_->cancel(panes_.back().job);
        delete panes_.back().box;
        panes_.pop_back();
        refreshCaptions();
    });
    connect(run_, &QPushButton::clicked, this, &ComparePanel::run);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Schedule:")));
    top->addWidget(presets_, 1);
    top->addWidget(add_);
    top->addWidget(addFile_);
    top->addWidget(removeLast_);
    top->addWidget(run_);

    paneRow_ = new QHBoxLayout;
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, 0);
    connect(slider_, &QSlider::valueChanged, this, &ComparePanel::showStep);
    x0Toggle_ = new QCheckBox(tr("Predicted x0"));
    connect(x0Toggle_, &QCheckBox::toggled, this, &ComparePanel::showStep);
    stepLabel_ = new ElidedLabel(QString(), 1, 9);
    stepLabel_->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);  // "step 1000 of 1000" fits
    auto* scrub = new QHBoxLayout;
    scrub->addWidget(slider_, 1);
    scrub->addWidget(x0Toggle_);
    scrub->addWidget(stepLabel_);

    // The difference map is a pane like the others: same size, same scale.
    diffA_ = new QComboBox;
    diffB_ = new QComboBox;
    diffA_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    diffB_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    diffA_->setMinimumContentsLength(6);
    diffB_->setMinimumContentsLength(6);
    connect(diffA_, &QComboBox::currentIndexChanged, this, &ComparePanel::updateDifference);
    connect(diffB_, &QComboBox::currentIndexChanged, this, &ComparePanel::updateDifference);
    diffView_ = new DifferenceView;
    diffLabel_ = new ElidedLabel(QString(), 1, 10);
    diffLabel_->setAlignment(Qt::AlignCenter);
    auto* pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("|a − b|:")));
    pick->addWidget(diffA_, 1);
    pick->addWidget(new QLabel(tr("vs")));
    pick->addWidget(diffB_, 1);
    auto* diffBox = new QWidget;
    auto* diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addLayout(pick);
    diffLayout->addWidget(diffView_, 1);
    diffLayout->addWidget(diffLabel_);
    paneRow_->addWidget(diffBox, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addLayout(paneRow_, 1);
    layout->addLayout(scrub);

    createPane(tr("current schedule"), StepSchedule());
    createPane(tr("full width"), StepSchedule());
    connect(session_, &ModelSession::frameReady, this, &ComparePanel::onFrame);
}

ComparePanel::Pane& ComparePanel::createPane(const QString& label, const StepSchedule& schedule)
{
    Pane pane;
    pane.label = label;
    pane.schedule = schedule;
    pane.box = new QWidget;
    pane.caption = new ElidedLabel(QString(), 2, 10);
    pane.caption->setAlignment(Qt::AlignCenter);
    pane.view = new PixelView;
    pane.view->setPlaceholder(tr("Run comparison"));
    auto* boxLayout = new QVBoxLayout(pane.box);
    boxLayout->setContentsMargins(0, 0, 0, 0);
    boxLayout->addWidget(pane.caption);
    boxLayout->addWidget(pane.view, 1);
    paneRow_->insertWidget(int(panes_.size()), pane.box, 1);
    panes_.push_back(std::move(pane));
    refreshCaptions();
    return panes_.back();
}

void ComparePanel::addPane(const QString& label, const StepSchedule& schedule)
{
    createPane(label, schedule);
}

const StepSchedule& ComparePanel::scheduleOf(const Pane& pane) const
{
    return pane.schedule.empty() ? current_ : pane.schedule;
}

void ComparePanel::setModel(const ModelInfo& model)
{
    model_ = model;
    hasRun_ = false;
    for (auto& pane : panes_) {
        session_->cancel(pane.job);
        pane.xt.clear();
        pane.x0.clear();
        pane.job = 0;
    }
    while (panes_.size() > 2) {
        delete panes_.back().box;
        panes_.pop_back();
    }
    panes_[1].schedule = StepSchedule::uniform(model.T(), model.fullWidth());
    rebuildPresetChoices();
    refreshCaptions();
    showStep();
}

void ComparePanel::setCurrentSchedule(const StepSchedule& schedule)
{
    current_ = schedule;
    refreshCaptions();
}

void ComparePanel::setSampler(const SamplerChoice& sampler)
{
    sampler_ = sampler;
    refreshCaptions();
}

void ComparePanel::rebuildPresetChoices()
{
    presets_->clear();
    if (!model_.isLoaded())
        return;
    for (const auto& preset : schedulePresets(model_.T(), model_.widths)) {
        presets_->addItem(QString::fromStdString(preset.name));
        presets_->setItemData(presets_->count() - 1, QString::fromStdString(preset.description), Qt::ToolTipRole);
    }
}

void ComparePanel::refreshCaptions()
{
    const int a = diffA_->currentIndex(), b = diffB_->currentIndex();
    diffA_->blockSignals(true);
    diffB_->blockSignals(true);
    diffA_->clear();
    diffB_->clear();
    for (auto& pane : panes_) {
        const auto& schedule = scheduleOf(pane);
        QString text = pane.label;
        if (model_.isLoaded() && !schedule.empty() && schedule.T() == model_.T()) {
            const auto figures = computeScheduleFigures(model_, schedule, sampler_.steps, {});
            text += tr("\n%1 GFLOPs / image (%2 % saved)").arg(figures.gflopsPerImage, 0, 'f', 4).arg(100 * figures.saving, 0, 'f', 1);
        }
        pane.caption->setText(text);
        diffA_->addItem(pane.label);
        diffB_->addItem(pane.label);
    }
    const int n = diffA_->count();
    const int newA = a >= 0 && a < n ? a : 0;
    int newB = b >= 0 && b < n ? b : std::min(1, n - 1);
    if (newB == newA && n > 1)
        newB = newA == 0 ? 1 : 0;  // a pane against itself is a black square
    diffA_->setCurrentIndex(newA);
    diffB_->setCurrentIndex(newB);
    diffA_->blockSignals(false);
    diffB_->blockSignals(false);
    updateDifference();
}

void ComparePanel::run()
{
    if (!session_->hasModel())
        return;
    hasRun_ = true;
    for (auto& pane : panes_) {
        session_->cancel(pane.job);
        pane.xt.clear();
        pane.x0.clear();
        SamplingRequest request;
        request.sampler = sampler_;
        request.stepWidths = stepWidths(scheduleOf(pane), sampler_.steps);
        pane.job = session_->startSampling(request, tr("Comparing: %1").arg(pane.label));
    }
    slider_->setRange(0, sampler_.steps - 1);
    slider_->setValue(sampler_.steps - 1);
    showStep();
    emit runStarted();
}

bool ComparePanel::isRunning() const
{
    for (const auto& pane : panes_)
        if (session_->isRunning(pane.job))
            return true;
    return false;
}

void ComparePanel::onFrame(const StepFrame& frame)
{
    for (auto& pane : panes_) {
        if (pane.job != frame.job || frame.job == 0)
            continue;
        pane.xt.push_back(frame.xt);
        pane.x0.push_back(frame.x0);
        if (frame.step <= slider_->value())
            showStep();
        return;
    }
}

void ComparePanel::setStep(int step) { slider_->setValue(step); }

QString ComparePanel::paneLabel(int pane) const { return panes_.at(size_t(pane)).label; }
int ComparePanel::paneFrames(int pane) const { return int(panes_.at(size_t(pane)).xt.size()); }

QImage ComparePanel::paneImage(int pane) const
{
    const Pane& p = panes_.at(size_t(pane));
    const auto& images = x0Toggle_->isChecked() ? p.x0 : p.xt;
    if (images.empty())
        return {};
    // While a pane is still running it shows its newest step.
    return images[size_t(std::min(slider_->value(), int(images.size()) - 1))];
}

void ComparePanel::showStep()
{
    for (int i = 0; i < paneCount(); ++i)
        panes_[size_t(i)].view->setImage(paneImage(i));
    stepLabel_->setText(tr("step %1 of %2").arg(slider_->value() + 1).arg(slider_->maximum() + 1));
    updateDifference();
}

void ComparePanel::setDifferencePanes(int a, int b)
{
    diffA_->setCurrentIndex(a);
    diffB_->setCurrentIndex(b);
}

QImage ComparePanel::differenceImage() const { return diffView_->image(); }
int ComparePanel::differenceScaleMax() const { return diffView_->scaleMax(); }
std::pair<int, int> ComparePanel::differencePanes() const { return {diffA_->currentIndex(), diffB_->currentIndex()}; }

void ComparePanel::updateDifference()
{
    const int a = diffA_->currentIndex(), b = diffB_->currentIndex();
    if (a < 0 || b < 0 || a >= paneCount() || b >= paneCount()) {
        diffView_->setMap({});
        diffLabel_->clear();
        return;
    }
    const auto map = differenceMap(paneImage(a), paneImage(b));
    diffView_->setMap(map);
    diffLabel_->setText(map.heat.isNull() ? QString()
                                          : tr("largest %1, mean %2 grey levels").arg(map.maxDiff).arg(map.meanDiff, 0, 'f', 2));
}

}  // namespace ddsm::ui
