#include "search/pareto_report.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ddsm {

namespace {

std::string stepWidthText(const ParetoReport& r, const Genome& g)
{
    std::ostringstream out;
    const auto indices = r.layout.expand(g);
    for (size_t i = 0; i < indices.size(); ++i)
        out << (i ? " " : "") << r.widths.at(indices[i]);
    return out.str();
}

nlohmann::json candidateJson(const ParetoReport& r, const Candidate& c)
{
    return {{"genome", genomeKey(c.genome)},
            {"step_widths", widthsOf(r.layout.expand(c.genome), r.widths)},
            {"quality", c.evaluation.quality},
            {"kid", std::isnan(c.evaluation.kid) ? nlohmann::json(nullptr) : nlohmann::json(c.evaluation.kid)},
            {"samples", c.evaluation.samples},
            {"relative_cost", c.cost},
            {"absolute_cost", c.cost * r.cost.perWidth.at(0) * r.layout.steps()}};
}

std::string fixed(double v, int digits)
{
    std::ostringstream out;
    out.precision(digits);
    out << std::fixed << v;
    return out.str();
}

}  // namespace

void writeParetoJson(const std::string& path, const ParetoReport& r)
{
    nlohmann::json front = nlohmann::json::array();
    for (const auto& c : r.front)
        front.push_back(candidateJson(r, c));
    const nlohmann::json doc{
        {"format", "ddsm-pareto-front"},
        {"version", 1},
        {"quality", r.qualityName},
        {"cost", {{"kind", r.cost.kind}, {"unit", r.cost.unit + " per image and step"}, {"per_width", r.cost.perWidth},
                  {"relative_to", "every step at full width"}, {"absolute_unit", r.cost.unit + " per image"}}},
        {"widths", r.widths},
        {"granularity", r.layout.description()},
        {"step_order", "denoising order: step 0 is the noisiest (t = T-1)"},
        {"budget", r.budget},
        {"evaluated", r.evaluated.size()},
        {"front", front},
        {"best", r.best ? candidateJson(r, *r.best) : nlohmann::json(nullptr)}};
    writeFileAtomically(path, doc.dump(1) + "\n");
}

void writeParetoCsv(const std::string& path, const ParetoReport& r)
{
    std::ostringstream out;
    out.precision(10);
    out << "relative_cost,absolute_cost_" << r.cost.unit << ",quality,kid,genome,step_widths\n";
    for (const auto& c : r.front)
        out << c.cost << ',' << c.cost * r.cost.perWidth.at(0) * r.layout.steps() << ',' << c.evaluation.quality << ','
            << (std::isnan(c.evaluation.kid) ? std::string() : std::to_string(c.evaluation.kid)) << ','
            << genomeKey(c.genome) << ",\"" << stepWidthText(r, c.genome) << "\"\n";
    writeFileAtomically(path, out.str());
}

void drawParetoPlot(const std::string& path, const ParetoReport& r)
{
    const int width = 900, height = 600, left = 80, right = 30, top = 50, bottom = 70;
    cv::Mat plot(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    if (r.evaluated.empty())
        throw Error("nothing to plot");
    double qLow = 1e300, qHigh = -1e300;
    for (const auto& c : r.evaluated)
        qLow = std::min(qLow, c.evaluation.quality), qHigh = std::max(qHigh, c.evaluation.quality);
    if (qHigh <= qLow)
        qHigh = qLow + 1;
    const double margin = 0.05 * (qHigh - qLow);
    qLow -= margin, qHigh += margin;
    auto px = [&](double cost) { return int(left + cost * (width - left - right)); };  // x: relative cost 0..1
    auto py = [&](double q) { return int(top + (qHigh - q) / (qHigh - qLow) * (height - top - bottom)); };
    const auto grey = cv::Scalar(170, 170, 170), black = cv::Scalar(0, 0, 0);
    const auto blue = cv::Scalar(200, 90, 20), red = cv::Scalar(30, 30, 220);
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    cv::rectangle(plot, {left, top}, {width - right, height - bottom}, black, 1);
    for (int i = 0; i <= 10; ++i) {
        const int x = px(i / 10.0);
        cv::line(plot, {x, height - bottom}, {x, height - bottom + 5}, black, 1);
        if (i % 2 == 0)
            cv::putText(plot, fixed(i / 10.0, 1), {x - 12, height - bottom + 22}, font, 0.45, black, 1, cv::LINE_AA);
    }
    for (int i = 0; i <= 5; ++i) {
        const double q = qLow + (qHigh - qLow) * i / 5.0;
        cv::line(plot, {left - 5, py(q)}, {left, py(q)}, black, 1);
        cv::putText(plot, fixed(q, 2), {5, py(q) + 5}, font, 0.45, black, 1, cv::LINE_AA);
    }
    // Budget: dashed vertical line.
    for (int y = top; y < height - bottom; y += 12)
        cv::line(plot, {px(r.budget), y}, {px(r.budget), std::min(y + 6, height - bottom)}, red, 1);
    for (const auto& c : r.evaluated)
        cv::circle(plot, {px(c.cost), py(c.evaluation.quality)}, 3, grey, cv::FILLED, cv::LINE_AA);
    for (size_t i = 0; i < r.front.size(); ++i) {
        const cv::Point p{px(r.front[i].cost), py(r.front[i].evaluation.quality)};
        if (i > 0)
            cv::line(plot, {px(r.front[i - 1].cost), py(r.front[i - 1].evaluation.quality)}, p, blue, 1, cv::LINE_AA);
        cv::circle(plot, p, 4, blue, cv::FILLED, cv::LINE_AA);
    }
    if (r.best)
        cv::circle(plot, {px(r.best->cost), py(r.best->evaluation.quality)}, 8, red, 2, cv::LINE_AA);
    cv::putText(plot, "Pareto front: " + std::to_string(r.front.size()) + " of " + std::to_string(r.evaluated.size()) +
                          " evaluated (grey), budget " + fixed(r.budget, 2) + " (red dashes), best circled",
                {left, 30}, font, 0.5, black, 1, cv::LINE_AA);
    cv::putText(plot, "cost relative to full width (" + r.cost.kind + ")", {width / 2 - 150, height - 20}, font, 0.5,
                black, 1, cv::LINE_AA);
    cv::putText(plot, r.qualityName, {left + 5, height - bottom - 8}, font, 0.4, black, 1, cv::LINE_AA);
    std::vector<uchar> png;
    if (!cv::imencode(".png", plot, png))
        throw Error(path + ": could not encode the plot");
    writeFileAtomically(path, std::string(png.begin(), png.end()));
}

}  // namespace ddsm
