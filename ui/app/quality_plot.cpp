#include "quality_plot.h"

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
    xAxis->setLabel(tr("GFLOPs / image (counted)"));
    yAxis->setLabel(tr("FID (lower is better)"));
    const QFont small(font().family(), 8);
    xAxis->setTickLabelFont(small);
    yAxis->setTickLabelFont(small);

    uniform_ = scatter(this, tr("uniform widths (predicted)"),
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
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
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
