#pragma once
// The sampler settings every run shares: seed, image count, steps, sampler
// kind and DDIM eta. The same seed gives the same starting noise everywhere.
#include "sampling_request.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace ddsm::ui {

class SamplerForm : public QWidget {
    Q_OBJECT
public:
    explicit SamplerForm(QWidget* parent = nullptr);

    SamplerChoice choice() const;
    // Without emitting changed().
    void setChoice(const SamplerChoice& choice);
    void setMaxSteps(int T);

signals:
    void changed();

private:
    QSpinBox* seed_;
    QSpinBox* count_;
    QSpinBox* steps_;
    QComboBox* kind_;
    QDoubleSpinBox* eta_;
};

}  // namespace ddsm::ui
