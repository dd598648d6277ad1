#pragma once
// The Search dock: settings of a step-aware schedule search (NSGA-II over
// FID and FLOPs, `ddsm search`), start and cancel, the growing Pareto front as
// a table (the Metrics plot shows it too), and loading any front schedule.
#include "quality_jobs.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ddsm::ui {

class SearchPanel : public QWidget {
    Q_OBJECT
public:
    explicit SearchPanel(QWidget* parent = nullptr);

    // The settings of the form (the sampler comes from the Denoising dock,
    // the latency profile from the Model dock).
    SearchRequest request() const;
    bool latencyCost() const;
    void setRequest(const SearchRequest& request);
    void setRunning(bool running);
    bool isRunning() const { return running_; }
    void showSnapshot(const SearchSnapshot& snapshot);
    // The finalists validated: the best under budget becomes the chosen one.
    void showValidation(const SearchSnapshot& snapshot);
    void showEnded(bool cancelled, const QString& error);
    const SearchSnapshot& snapshot() const { return snapshot_; }
    QTableWidget* frontTable() const { return table_; }
    QString statusText() const;

signals:
    void startRequested();
    void cancelRequested();
    // Step widths (denoising order) of a chosen front point, with a name for it.
    void scheduleChosen(const std::vector<double>& stepWidths, const QString& name);

private:
    void chooseRow(int row);

    QDoubleSpinBox* budget_;
    QSpinBox* population_;
    QSpinBox* generations_;
    QSpinBox* samples_;
    QComboBox* granularity_;
    QComboBox* cost_;
    QPushButton* start_;
    QPushButton* cancel_;
    QPushButton* loadBest_;
    QLabel* status_;
    QTableWidget* table_;
    SearchSnapshot snapshot_;
    bool running_ = false;
};

}  // namespace ddsm::ui
