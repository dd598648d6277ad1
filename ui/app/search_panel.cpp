#include "search_panel.h"

#include "fid_text.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ddsm::ui {

namespace {

QSpinBox* spin(int low, int high, int value, const QString& tip)
{
    auto* box = new QSpinBox;
    box->setRange(low, high);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}

}  // namespace

SearchPanel::SearchPanel(QWidget* parent) : QWidget(parent)
{
    const SearchRequest defaults;
    budget_ = new QDoubleSpinBox;
    budget_->setRange(0.05, 1.0);
    budget_->setSingleStep(0.05);
    budget_->setDecimals(2);
    budget_->setValue(defaults.budget);
    budget_->setToolTip(tr("Budget relative to full width: the best schedule must cost at most this much"));
    population_ = spin(4, 256, defaults.population, tr("Schedules per generation"));
    generations_ = spin(0, 500, defaults.generations, tr("Generations after the initial population"));
    samples_ = spin(16, 8192, defaults.samplesPerCandidate,
                    tr("Images per candidate, all from the same noise; FID at small counts is biased upwards, "
                       "so compare search scores with each other, not with measured FIDs"));
    granularity_ = new QComboBox;
    granularity_->addItem(tr("10 bins of steps"), QStringLiteral("bins:10"));
    granularity_->addItem(tr("5 bins of steps"), QStringLiteral("bins:5"));
    granularity_->addItem(tr("every step"), QStringLiteral("steps"));
    granularity_->setToolTip(tr("One gene (width choice) per bin of consecutive sampler steps, or per step"));

    cost_ = new QComboBox;
    cost_->addItem(tr("FLOPs (counted)"), QStringLiteral("flops"));
    cost_->addItem(tr("latency (measured here)"), QStringLiteral("latency"));
    cost_->setToolTip(tr("What the budget limits: counted FLOPs, or this machine's per-width latency "
                         "from the Model dock's measurement"));

    // The dock may be narrow (a 1024-pixel screen): combo boxes shrink to a few
    // characters and long rows put their field under the label.
    for (QComboBox* box : {granularity_, cost_}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    auto* form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("Cost:"), cost_);
    form->addRow(tr("Budget (vs full width):"), budget_);
    form->addRow(tr("Population:"), population_);
    form->addRow(tr("Generations:"), generations_);
    form->addRow(tr("Samples / candidate:"), samples_);
    form->addRow(tr("Genes:"), granularity_);

    start_ = new QPushButton(tr("Start Search"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    loadBest_ = new QPushButton(tr("Load Best Under Budget"));
    loadBest_->setEnabled(false);
    auto* buttons = new QGridLayout;  // two rows: three buttons side by side need ~330 pixels
    buttons->addWidget(start_, 0, 0);
    buttons->addWidget(cancel_, 0, 1);
    buttons->addWidget(loadBest_, 1, 0, 1, 2);

    status_ = new QLabel(tr("Uses the sampler, steps and seed of the Denoising dock. After the last generation the "
                            "best %1 under the budget are scored again on fresh noise, with twice the images per "
                            "candidate (`ddsm search` takes four times), and the best there is re-evaluated next "
                            "to full width.")
                             .arg(defaults.finalists));
    status_->setWordWrap(true);
    table_ = new QTableWidget(0, 3);
    table_->setHorizontalHeaderLabels({tr("cost vs full"), tr("GFLOPs / image"), tr("FID (search)")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setToolTip(tr("The Pareto front so far; click a row to load its schedule"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(status_);
    layout->addWidget(table_, 1);

    connect(start_, &QPushButton::clicked, this, &SearchPanel::startRequested);
    connect(cancel_, &QPushButton::clicked, this, &SearchPanel::cancelRequested);
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) { chooseRow(row); });
    connect(loadBest_, &QPushButton::clicked, this, [this] {
        if (snapshot_.best)
            emit scheduleChosen(snapshot_.best->stepWidths,
                                tr("search best <= %1").arg(snapshot_.budget, 0, 'g', 3));
    });
}

SearchRequest SearchPanel::request() const
{
    SearchRequest r;
    r.budget = budget_->value();
    r.population = population_->value();
    r.generations = generations_->value();
    r.samplesPerCandidate = samples_->value();
    r.granularity = granularity_->currentData().toString();
    return r;
}

bool SearchPanel::latencyCost() const { return cost_->currentData().toString() == QLatin1String("latency"); }

void SearchPanel::setRequest(const SearchRequest& request)
{
    budget_->setValue(request.budget);
    population_->setValue(request.population);
    generations_->setValue(request.generations);
    samples_->setValue(request.samplesPerCandidate);
    int index = granularity_->findData(request.granularity);
    if (index < 0) {
        granularity_->addItem(request.granularity, request.granularity);
        index = granularity_->count() - 1;
    }
    granularity_->setCurrentIndex(index);
    cost_->setCurrentIndex(request.latencyMsPerWidth.empty() ? 0 : 1);
}

void SearchPanel::setRunning(bool running)
{
    running_ = running;
    start_->setEnabled(!running);
    cancel_->setEnabled(running);
    for (QWidget* w : std::initializer_list<QWidget*>{cost_, budget_, population_, generations_, samples_, granularity_})
        w->setEnabled(!running);
    if (running) {
        snapshot_ = {};
        table_->setRowCount(0);
        loadBest_->setEnabled(false);
        status_->setText(tr("Starting: generation 0 scores the uniform widths and random schedules…"));
    }
}

void SearchPanel::showSnapshot(const SearchSnapshot& snapshot)
{
    snapshot_ = snapshot;
    QString best = tr("none under budget yet");
    if (snapshot.best)
        best = tr("FID %1 at %2% of the %3")
                   .arg(snapshot.best->fid, 0, 'f', 2)
                   .arg(100 * snapshot.best->relativeCost, 0, 'f', 1)
                   .arg(snapshot.costName());
    status_->setText(tr("Generation %1 of %2 · %3 schedules scored (%4 images each) · front %5\n"
                        "Best under %6: %7\nCache hits %8% · prefix reuse %9% · %10 s")
                         .arg(snapshot.generation)
                         .arg(snapshot.generations)
                         .arg(snapshot.evaluated.size())
                         .arg(snapshot.samplesPerCandidate)
                         .arg(snapshot.front.size())
                         .arg(snapshot.budget, 0, 'g', 3)
                         .arg(best)
                         .arg(100 * snapshot.cacheHitRate, 0, 'f', 0)
                         .arg(100 * snapshot.prefixReuseRate, 0, 'f', 0)
                         .arg(snapshot.elapsedSeconds, 0, 'f', 0));
    table_->setRowCount(int(snapshot.front.size()));
    for (int row = 0; row < int(snapshot.front.size()); ++row) {
        const SearchPoint& p = snapshot.front[size_t(row)];
        table_->setItem(row, 0, new QTableWidgetItem(QStringLiteral("%1 %").arg(100 * p.relativeCost, 0, 'f', 1)));
        table_->setItem(row, 1, new QTableWidgetItem(QString::number(p.gflopsPerImage, 'f', 3)));
        table_->setItem(row, 2, new QTableWidgetItem(QString::number(p.fid, 'f', 2)));
    }
    loadBest_->setEnabled(snapshot.best.has_value());
}

void SearchPanel::showValidation(const SearchSnapshot& snapshot)
{
    snapshot_ = snapshot;
    loadBest_->setEnabled(snapshot.best.has_value());
    if (!snapshot.best)
        return;
    const QString chosen = snapshot.finalists > 1
                               ? tr("Best of %1 finalists on %2 fresh images").arg(snapshot.finalists).arg(snapshot.finalSamples)
                               : tr("Best under budget");
    status_->setText(status_->text() +
                     tr("\n%1: FID %2 vs %3 at full width, %4 [%5, %6] on %7 re-evaluation images")
                         .arg(chosen)
                         .arg(snapshot.chosenFid, 0, 'f', 2)
                         .arg(snapshot.fullWidthFid, 0, 'f', 2)
                         .arg(signedFid(snapshot.minusFull), signedFid(snapshot.minusFullLow),
                              signedFid(snapshot.minusFullHigh))
                         .arg(snapshot.finalSamples));
}

void SearchPanel::showEnded(bool cancelled, const QString& error)
{
    setRunning(false);
    loadBest_->setEnabled(snapshot_.best.has_value());
    if (!error.isEmpty())
        status_->setText(tr("Search failed: %1").arg(error));
    else if (cancelled)
        status_->setText(status_->text() + tr("\nCancelled: the front above is that of the last complete generation."));
    else
        status_->setText(status_->text() +
                         (snapshot_.validated
                              ? tr("\nFinished. Search scores use %1 images each; the best under budget was chosen "
                                   "among finalists on fresh noise and re-evaluated next to full width. Measure it "
                                   "(Metrics dock) or with `ddsm compare` on more images before trusting small gaps.")
                              : tr("\nFinished. Scores use %1 images each; measure a chosen schedule (Metrics dock) "
                                   "or re-evaluate it with `ddsm fid` before trusting small gaps."))
                             .arg(snapshot_.samplesPerCandidate));
}

QString SearchPanel::statusText() const { return status_->text(); }

void SearchPanel::chooseRow(int row)
{
    if (row < 0 || row >= int(snapshot_.front.size()))
        return;
    const SearchPoint& p = snapshot_.front[size_t(row)];
    emit scheduleChosen(p.stepWidths, tr("search front %1% %2")
                                          .arg(100 * p.relativeCost, 0, 'f', 0)
                                          .arg(snapshot_.costName()));
}

}  // namespace ddsm::ui
