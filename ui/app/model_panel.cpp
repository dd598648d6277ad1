#include "model_panel.h"

#include "elided_label.h"
#include "schedule/width.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ddsm::ui {

QString ModelPanel::formatMacs(int64_t macs)
{
    // Millions with two decimals read at a glance; the exact count is in the tooltip.
    return macs >= 1'000'000 ? QStringLiteral("%1 M").arg(double(macs) / 1e6, 0, 'f', 2) : QLocale::c().toString(qlonglong(macs));
}

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent)
{
    name_ = new ElidedLabel(tr("No model loaded.\nFile > Open Model… or drop a .safetensors file here."), 2, 16);
    architecture_ = new QLabel(QStringLiteral("—"));
    architecture_->setWordWrap(true);
    architecture_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    parameters_ = new QLabel(QStringLiteral("—"));

    auto* form = new QFormLayout;
    form->addRow(tr("Model:"), name_);
    form->addRow(tr("Architecture:"), architecture_);
    form->addRow(tr("Parameters:"), parameters_);

    table_ = new QTableWidget(0, ColumnCount);
    // Short headers that fit a narrow dock; the tooltips say the rest.
    table_->setHorizontalHeaderLabels({tr("Width"), tr("MACs"), tr("GFLOPs"), tr("ms")});
    table_->horizontalHeaderItem(MacsColumn)->setToolTip(
        tr("Multiply-accumulates of one forward pass per image, counted from the network's structure (M = million)"));
    table_->horizontalHeaderItem(GflopsColumn)->setToolTip(tr("Floating-point operations of one forward pass per image: 2 x MACs"));
    table_->horizontalHeaderItem(LatencyColumn)->setToolTip(
        tr("Measured on this machine: median time of one forward pass, per image (ms / image-step)"));
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->horizontalHeader()->setMinimumSectionSize(40);
    table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);

    measure_ = new QPushButton(tr("Measure latency"));
    measure_->setEnabled(false);
    connect(measure_, &QPushButton::clicked, this, &ModelPanel::measureLatencyRequested);
    latencyNote_ = new QLabel(tr("Latency not measured yet."));
    latencyNote_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(table_, 1);
    layout->addWidget(measure_);
    layout->addWidget(latencyNote_);
}

void ModelPanel::showModel(const ModelInfo& model)
{
    name_->setText(QStringLiteral("%1\n%2").arg(model.name, model.path));
    name_->setToolTip(model.path);
    architecture_->setText(model.architecture);
    parameters_->setText(model.parameterCount > 0 ? QLocale::c().toString(qlonglong(model.parameterCount))
                                                  : tr("— (TorchScript members)"));
    widths_ = model.widths;
    table_->setRowCount(int(model.widths.size()));
    for (int row = 0; row < int(model.widths.size()); ++row) {
        const auto macs = model.macs[size_t(row)];
        table_->setItem(row, WidthColumn, new QTableWidgetItem(QString::fromStdString(formatWidth(model.widths[size_t(row)]))));
        auto* macsItem = new QTableWidgetItem(formatMacs(macs));
        macsItem->setData(Qt::UserRole, QVariant::fromValue(qlonglong(macs)));
        macsItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(row, MacsColumn, macsItem);
        table_->setItem(row, GflopsColumn, new QTableWidgetItem(QString::number(2e-9 * double(macs), 'f', 4)));
        table_->setItem(row, LatencyColumn, new QTableWidgetItem(QStringLiteral("—")));
        if (size_t(row) < model.widthSources.size())
            for (int column = 0; column < table_->columnCount(); ++column)
                table_->item(row, column)->setToolTip(model.widthSources[size_t(row)]);
        const QString exact = tr("%1 MACs").arg(QLocale::c().toString(qlonglong(macs)));
        const QString source = table_->item(row, MacsColumn)->toolTip();
        table_->item(row, MacsColumn)->setToolTip(source.isEmpty() ? exact : exact + QStringLiteral("\n") + source);
    }
    measure_->setEnabled(true);
    latencyNote_->setText(tr("Latency not measured yet."));
}

void ModelPanel::showLatency(const LatencyProfile& profile)
{
    for (int row = 0; row < table_->rowCount(); ++row) {
        const auto ms = profile.msAt(widths_.at(size_t(row)));
        table_->item(row, LatencyColumn)->setText(ms ? QString::number(*ms, 'f', 3) : QStringLiteral("—"));
    }
    latencyNote_->setText(tr("Measured here: median of %1 calls, batch %2, %3 thread(s), after warm-up.")
                              .arg(profile.repeats)
                              .arg(profile.batch)
                              .arg(profile.threads));
}

void ModelPanel::setMeasuring(bool measuring)
{
    measure_->setEnabled(!measuring && table_->rowCount() > 0);
    if (measuring)
        latencyNote_->setText(tr("Measuring latency per width…"));
}

QString ModelPanel::parameterText() const { return parameters_->text(); }
QString ModelPanel::architectureText() const { return architecture_->text(); }
QString ModelPanel::widthSourceText(int widthRow) const { return table_->item(widthRow, WidthColumn)->toolTip(); }
int ModelPanel::widthRows() const { return table_->rowCount(); }

QString ModelPanel::macsText(int widthRow) const
{
    const auto* item = table_->item(widthRow, MacsColumn);
    return item ? item->text() : QString();
}

QString ModelPanel::latencyText(int widthRow) const
{
    const auto* item = table_->item(widthRow, LatencyColumn);
    return item ? item->text() : QString();
}

}  // namespace ddsm::ui
