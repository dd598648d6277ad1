#pragma once
// The Model dock: architecture, parameter count, and per width the counted
// MACs / GFLOPs beside the latency measured on this machine.
#include "latency_profile.h"
#include "model_info.h"

#include <QWidget>

#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace ddsm::ui {

class ElidedLabel;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);

    void showModel(const ModelInfo& model);
    void showLatency(const LatencyProfile& profile);
    void setMeasuring(bool measuring);

    // Read by tests and the status bar: the shown text of a cell.
    QString parameterText() const;
    QString architectureText() const;
    QString widthSourceText(int widthRow) const;
    QString macsText(int widthRow) const;
    QString latencyText(int widthRow) const;
    int widthRows() const;
    // "120.63 M" for 120,633,856 MACs.
    static QString formatMacs(int64_t macs);

signals:
    void measureLatencyRequested();

private:
    enum Column { WidthColumn, MacsColumn, GflopsColumn, LatencyColumn, ColumnCount };
    ElidedLabel* name_;
    QLabel* architecture_;
    QLabel* parameters_;
    QTableWidget* table_;
    QPushButton* measure_;
    QLabel* latencyNote_;
    std::vector<double> widths_;  // one per table row
};

}  // namespace ddsm::ui
