#include "sampler_form.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>

#include <limits>

namespace ddsm::ui {

SamplerForm::SamplerForm(QWidget* parent) : QWidget(parent)
{
    seed_ = new QSpinBox;
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("Image i always starts from the same noise for a given seed, whatever the schedule"));
    count_ = new QSpinBox;
    count_->setRange(1, 64);
    steps_ = new QSpinBox;
    steps_->setRange(1, 1000);
    kind_ = new QComboBox;
    kind_->addItem(QStringLiteral("DDIM"), QStringLiteral("ddim"));
    kind_->addItem(QStringLiteral("DDPM"), QStringLiteral("ddpm"));
    eta_ = new QDoubleSpinBox;
    eta_->setRange(0.0, 1.0);
    eta_->setSingleStep(0.1);
    eta_->setDecimals(2);
    eta_->setToolTip(tr("DDIM stochasticity: 0 is deterministic"));

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Seed:"), seed_);
    form->addRow(tr("Images:"), count_);
    form->addRow(tr("Steps:"), steps_);
    form->addRow(tr("Sampler:"), kind_);
    form->addRow(tr("Eta:"), eta_);
    setChoice(SamplerChoice{});

    connect(seed_, &QSpinBox::valueChanged, this, &SamplerForm::changed);
    connect(count_, &QSpinBox::valueChanged, this, &SamplerForm::changed);
    connect(steps_, &QSpinBox::valueChanged, this, &SamplerForm::changed);
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        eta_->setEnabled(kind_->currentData().toString() == QLatin1String("ddim"));
        emit changed();
    });
    connect(eta_, &QDoubleSpinBox::valueChanged, this, &SamplerForm::changed);
}

SamplerChoice SamplerForm::choice() const
{
    SamplerChoice c;
    c.seed = uint64_t(seed_->value());
    c.count = count_->value();
    c.steps = steps_->value();
    c.kind = kind_->currentData().toString().toStdString();
    c.eta = eta_->value();
    return c;
}

void SamplerForm::setChoice(const SamplerChoice& c)
{
    const QSignalBlocker b1(seed_), b2(count_), b3(steps_), b4(kind_), b5(eta_);
    seed_->setValue(int(std::min<uint64_t>(c.seed, uint64_t(std::numeric_limits<int>::max()))));
    count_->setValue(c.count);
    steps_->setValue(c.steps);
    const int kind = kind_->findData(QString::fromStdString(c.kind));
    kind_->setCurrentIndex(kind >= 0 ? kind : 0);
    eta_->setValue(c.eta);
    eta_->setEnabled(kind_->currentData().toString() == QLatin1String("ddim"));
}

void SamplerForm::setMaxSteps(int T)
{
    const QSignalBlocker blocker(steps_);
    steps_->setMaximum(T);
}

}  // namespace ddsm::ui
