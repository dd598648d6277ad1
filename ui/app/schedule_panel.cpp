#include "schedule_panel.h"

#include "timeline/schedule_document_model.h"
#ifdef DDSM_HAVE_SCHEDULE_TIMELINE
#include "timeline/schedule_timeline.h"
#else
#include "schedule_strip.h"
#endif

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace ddsm::ui {

SchedulePanel::SchedulePanel(ScheduleDocumentModel* document, QWidget* parent) : QWidget(parent), document_(document)
{
    hover_ = new QLabel;
#ifdef DDSM_HAVE_SCHEDULE_TIMELINE
    auto* timeline = new ScheduleTimeline;
    timeline->setModel(document);
    connect(timeline, &ScheduleTimeline::hoverTextChanged, hover_, &QLabel::setText);
    editor_ = timeline;
#else
    editor_ = new ScheduleStrip(document);
#endif
    presets_ = new QComboBox;
    auto* apply = new QPushButton(tr("Apply preset"));
    connect(apply, &QPushButton::clicked, this, [this] { document_->applyPreset(presets_->currentText()); });
    name_ = new QLabel;

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Preset:")));
    row->addWidget(presets_, 1);
    row->addWidget(apply);
    row->addSpacing(12);
    row->addWidget(name_, 1);
    row->addWidget(hover_, 1);

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
    if (shown != names) {
        presets_->clear();
        for (const QString& name : names) {
            presets_->addItem(name);
            presets_->setItemData(presets_->count() - 1, document_->presetDescription(name), Qt::ToolTipRole);
        }
    }
    const QString name = document_->name().isEmpty() ? tr("custom") : document_->name();
    name_->setText(tr("Schedule: %1").arg(name));
    name_->setToolTip(QString::fromStdString(document_->schedule().description()));
}

}  // namespace ddsm::ui
