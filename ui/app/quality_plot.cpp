#include "quality_plot.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ddsm::ui {

namespace {

QCPGraph* scatter(QCustomPlot* plot, const QString& name, QCPScatterStyle style)
{
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(style);
    return g;
}

}  // namespace

QualityPlot::QualityPlot(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumHeight(180);
    setMouseTracking(true);  // tooltips say what each point is
    xAxis->setLabel(tr("GFLOPs / image (counted)"));
    yAxis->setLabel(tr("FID (lower is better)"));
    const QFont small(font().family(), 8);
    xAxis->setTickLabelFont(small);
    yAxis->setTickLabelFont(small);

    uniform_ = scatter(this, tr("uniform widths: predicted FID"),
                       QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(90, 90, 90)), Qt::NoBrush, 8));
    searchEvaluated_ = scatter(this, tr("search: evaluated"),
                               QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(170, 170, 200), 4));
    front_ = addGraph();
    front_->setName(tr("search: Pareto front"));
    front_->setLineStyle(QCPGraph::lsStepLeft);
    front_->setPen(QPen(QColor(40, 90, 200), 1.5));
    front_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(40, 90, 200), 6));
    measured_ = scatter(this, tr("measured"), QCPScatterStyle(QCPScatterStyle::ssSquare, QColor(20, 140, 60), 7));
    measuredBars_ = new QCPErrorBars(xAxis, yAxis);
    measuredBars_->removeFromLegend();
    measuredBars_->setDataPlottable(measured_);
    measuredBars_->setPen(QPen(QColor(20, 140, 60)));
    current_ = scatter(this, tr("current schedule"), QCPScatterStyle(QCPScatterStyle::ssStar, QColor(220, 60, 20), 12));
    currentLine_ = new QCPItemStraightLine(this);
    currentLine_->setPen(QPen(QColor(220, 60, 20), 1, Qt::DashLine));
    currentLine_->setVisible(false);

    legend->setVisible(true);
    legend->setFont(small);
    // Bottom left is cheap and good at once, where no schedule can be: the one
    // corner the points leave empty. Translucent, so a point there still shows.
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);
    legend->setBrush(QColor(255, 255, 255, 190));
    // A legend larger than a corner of a small plot would hide it: shown only
    // where it fits (each point's tooltip says what it is either way).
    connect(this, &QCustomPlot::beforeReplot, this, [this] {
        const QSize need = legend->minimumOuterSizeHint();
        // The axes' own rectangle is laid out only during the replot: the
        // widget less the axes' labels stands in for it.
        const QSize room(width() - 60, height() - 50);
        legend->setVisible(legend->itemCount() > 0 && need.width() <= 0.7 * room.width() &&
                           need.height() <= 0.5 * room.height());
    });
    refreshSeries();
}

void QualityPlot::clearAll()
{
    measuredPoints_.clear();
    uniformPredicted_.clear();
    searchPoints_.clear();
    searchFront_.clear();
    currentFid_.reset();
    refreshSeries();
}

void QualityPlot::setSteps(int steps)
{
    if (steps_ == steps)
        return;
    steps_ = steps;
    refreshSeries();
}

void QualityPlot::addMeasured(const Point& point, int steps)
{
    const auto same = std::find_if(measuredPoints_.begin(), measuredPoints_.end(), [&](const Stored& s) {
        return s.steps == steps && s.point.schedule == point.schedule;
    });
    if (same != measuredPoints_.end())
        same->point = point;
    else
        measuredPoints_.push_back({point, steps});
    refreshSeries();
}

void QualityPlot::setUniformPredictions(const std::vector<Point>& points)
{
    uniformPredicted_ = points;
    refreshSeries();
}

void QualityPlot::setSearch(const std::vector<Point>& evaluated, const std::vector<Point>& front, int steps)
{
    searchPoints_ = evaluated;
    searchFront_ = front;
    searchSteps_ = steps;
    refreshSeries();
}

void QualityPlot::setCurrent(double gflops, std::optional<double> fid)
{
    currentGflops_ = gflops;
    currentFid_ = fid;
    refreshCurrent();  // every edit: the series stay as they are
}

int QualityPlot::measuredCount() const { return measured_->dataCount(); }
int QualityPlot::searchCount() const { return searchEvaluated_->dataCount(); }

void QualityPlot::refreshSeries()
{
    seriesRight_ = seriesTop_ = 0;
    auto grow = [&](double gx, double gy) {
        seriesRight_ = std::max(seriesRight_, gx);
        if (std::isfinite(gy))
            seriesTop_ = std::max(seriesTop_, gy);
    };
    QVector<double> x, y, err;
    for (const auto& s : measuredPoints_)
        if (s.steps == steps_) {
            x << s.point.gflops;
            y << s.point.fid;
            err << std::max(s.point.fid - s.point.low, s.point.high - s.point.fid);
            grow(s.point.gflops, s.point.high);
        }
    measured_->setData(x, y);
    measuredBars_->setData(err);

    auto fill = [&](QCPGraph* graph, const std::vector<Point>& points, bool show) {
        QVector<double> px, py;
        if (show)
            for (const auto& p : points) {
                px << p.gflops;
                py << p.fid;
                grow(p.gflops, p.fid);
            }
        graph->setData(px, py);
    };
    fill(uniform_, uniformPredicted_, true);
    fill(searchEvaluated_, searchPoints_, searchSteps_ == steps_);
    fill(front_, searchFront_, searchSteps_ == steps_);
    refreshLegendNames();
    refreshCurrent();
}

void QualityPlot::refreshCurrent()
{
    double right = std::max(seriesRight_, currentGflops_), top = seriesTop_;
    if (currentFid_) {
        current_->setData(QVector<double>{currentGflops_}, QVector<double>{*currentFid_});
        if (std::isfinite(*currentFid_))
            top = std::max(top, *currentFid_);
        currentLine_->setVisible(false);
    } else {
        current_->data()->clear();
        currentLine_->point1->setCoords(currentGflops_, 0);
        currentLine_->point2->setCoords(currentGflops_, 1);
        currentLine_->setVisible(currentGflops_ > 0);
    }
    xAxis->setRange(0, right > 0 ? right * 1.1 : 1);
    yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    replot(QCustomPlot::rpQueuedReplot);
}

void QualityPlot::refreshLegendNames()
{
    int lo = 0, hi = 0;
    for (const auto& s : measuredPoints_)
        if (s.steps == steps_) {
            lo = lo == 0 ? s.point.samples : std::min(lo, s.point.samples);
            hi = std::max(hi, s.point.samples);
        }
    measured_->setName(hi == 0    ? tr("measured FID")
                       : lo == hi ? tr("measured FID, %1 samples").arg(hi)
                                  : tr("measured FID, %1-%2 samples").arg(lo).arg(hi));
    const int searchSamples = searchPoints_.empty() ? 0 : searchPoints_.front().samples;
    const QString few = searchSamples > 0 ? tr("score of %1 samples").arg(searchSamples) : tr("score of few samples");
    searchEvaluated_->setName(tr("search: %1 (biased up)").arg(few));
    front_->setName(tr("search: Pareto front (%1)").arg(few));
    // Only what the plot shows has a legend row: the legend must not hide the points.
    for (QCPGraph* graph : {uniform_, searchEvaluated_, front_, measured_}) {
        if (graph->dataCount() > 0)
            graph->addToLegend();
        else
            graph->removeFromLegend();
    }
}

QString QualityPlot::describe(const Point& p)
{
    QString what;
    switch (p.kind) {
    case Kind::Measured:
        what = tr("measured FID, %1 samples: %2 [%3, %4]").arg(p.samples).arg(p.fid, 0, 'f', 2).arg(p.low, 0, 'f', 2).arg(p.high, 0, 'f', 2);
        break;
    case Kind::SearchScore:
        what = tr("search score: FID of %1 samples, %2 (biased upwards: compare with measured FIDs only loosely)")
                   .arg(p.samples)
                   .arg(p.fid, 0, 'f', 2);
        break;
    case Kind::Predicted:
        what = tr("predicted FID (distance predictor, no samples): %1").arg(p.fid, 0, 'f', 2);
        break;
    }
    return tr("%1\n%2\n%3 GFLOPs / image · click to load").arg(p.label, what).arg(p.gflops, 0, 'f', 4);
}

void QualityPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    const auto point = pointAt(event->position());
    if (point)
        QToolTip::showText(event->globalPosition().toPoint(), describe(*point), this);
    else
        QToolTip::hideText();
}

std::optional<QualityPlot::Point> QualityPlot::pointAt(const QPointF& pos, double radius) const
{
    const Point* nearest = nullptr;
    double best = radius * radius;
    auto consider = [&](const Point& p) {
        const double dx = xAxis->coordToPixel(p.gflops) - pos.x(), dy = yAxis->coordToPixel(p.fid) - pos.y();
        if (dx * dx + dy * dy <= best) {
            best = dx * dx + dy * dy;
            nearest = &p;
        }
    };
    for (const auto& s : measuredPoints_)
        if (s.steps == steps_)
            consider(s.point);
    for (const auto& p : uniformPredicted_)
        consider(p);
    if (searchSteps_ == steps_)
        for (const auto& p : searchPoints_)
            consider(p);
    if (!nearest)
        return std::nullopt;
    return *nearest;
}

void QualityPlot::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    if (const auto point = pointAt(event->position()))
        emit scheduleClicked(point->schedule, point->label);
}

}  // namespace ddsm::ui
