#include "schedule_panel.h"

#include "elided_label.h"
#include "timeline/schedule_document_model.h"
#include "timeline/schedule_timeline.h"

#include <QComboBox>
#include <QSignalBlocker>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace ddsm::ui {

SchedulePanel::SchedulePanel(ScheduleDocumentModel* document, QWidget* parent) : QWidget(parent), document_(document)
{
    // Hover and name texts change under the mouse: fixed-size, elided labels
    // so that the timeline never moves while it is being painted.
    hover_ = new ElidedLabel(QString(), 1, 24);
    name_ = new ElidedLabel(QString(), 1, 16);
    mode_ = new QComboBox;
    mode_->addItem(tr("Paint widths"));
    mode_->addItem(tr("Importance curve"));
    mode_->setToolTip(tr("Paint: drag to paint the width under the pointer.\n"
                         "Importance curve: drag the curve's handles and the threshold lines; "
                         "the thresholds pick each step's width."));
    auto* timeline = new ScheduleTimeline;
    timeline->setModel(document);
    connect(timeline, &ScheduleTimeline::hoverTextChanged, hover_, &ElidedLabel::setText);
    connect(mode_, &QComboBox::currentIndexChanged, timeline, [timeline](int index) {
        timeline->setEditMode(index == 1 ? ScheduleTimeline::EditMode::Importance : ScheduleTimeline::EditMode::Paint);
    });
    connect(timeline, &ScheduleTimeline::editModeChanged, mode_, [this](ScheduleTimeline::EditMode mode) {
        mode_->setCurrentIndex(mode == ScheduleTimeline::EditMode::Importance ? 1 : 0);
    });
    editor_ = timeline;
    presets_ = new QComboBox;
    presets_->setPlaceholderText(tr("custom"));
    presets_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    presets_->setMinimumContentsLength(14);
    auto* apply = new QPushButton(tr("Apply preset"));
    connect(apply, &QPushButton::clicked, this, [this] { document_->applyPreset(presets_->currentText()); });
    // Choosing a preset applies it: the box always names the schedule shown.
    connect(presets_, &QComboBox::activated, this, [this](int index) {
        if (index >= 0)
            document_->applyPreset(presets_->itemText(index));
    });

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Preset:")));
    row->addWidget(presets_);
    row->addWidget(apply);
    row->addWidget(mode_);
    row->addSpacing(8);
    row->addWidget(name_, 2);
    row->addWidget(hover_, 3);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(editor_, 1);
    layout->addLayout(row);

    connect(document_, &ScheduleDocumentModel::modelChanged, this, &SchedulePanel::refresh);
    connect(document_, &ScheduleDocumentModel::scheduleChanged, this, &SchedulePanel::refresh);
    refresh();
}

void SchedulePanel::refresh()
{
    const QStringList names = document_->presetNames();
    QStringList shown;
    for (int i = 0; i < presets_->count(); ++i)
        shown << presets_->itemText(i);
    const QSignalBlocker blocker(presets_);
    if (shown != names) {
        presets_->clear();
        for (const QString& name : names) {
            presets_->addItem(name);
            presets_->setItemData(presets_->count() - 1, document_->presetDescription(name), Qt::ToolTipRole);
        }
    }
    const QString name = document_->name();
    // The box names the schedule when it is a preset, else shows "custom".
    presets_->setCurrentIndex(presets_->findText(name));
    name_->setText(tr("Schedule: %1").arg(name.isEmpty() ? tr("custom") : name));
    name_->setToolTip(QString::fromStdString(document_->schedule().description()));
}

QString SchedulePanel::presetText() const { return presets_->currentText(); }
QString SchedulePanel::nameText() const { return name_->text(); }
QComboBox* SchedulePanel::modeBox() const { return mode_; }

}  // namespace ddsm::ui
