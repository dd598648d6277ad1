// The step-importance plot, drawn with OpenCV primitives only.
#include "evaluation/step_importance.h"

#include "base/error.h"
#include "io/png_text.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>

namespace ddsm {

namespace {

const cv::Scalar kInk(40, 40, 40);
const cv::Scalar kGrid(225, 225, 225);
// One colour per narrow width (BGR), from the widest narrow width down.
const cv::Scalar kColours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};

std::string formatNumber(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", v);
    return text;
}

// One panel: values[bin][width] against bin centres, x from t = 0 to T.
void drawPanel(cv::Mat& image, cv::Rect area, const StepImportance& imp,
               const std::vector<std::vector<double>>& values, const std::string& label)
{
    const int T = imp.binEdges.back();
    double low = 0, high = 0;
    for (const auto& row : values)
        for (size_t w = 1; w < row.size(); ++w) {
            low = std::min(low, row[w]);
            high = std::max(high, row[w]);
        }
    if (high - low <= 0)
        high = low + 1;
    const auto px = [&](double t) { return area.x + int(area.width * t / T); };
    const auto py = [&](double v) { return area.y + area.height - int(area.height * (v - low) / (high - low)); };
    for (int i = 0; i <= 4; ++i) {
        const double v = low + (high - low) * i / 4;
        cv::line(image, {area.x, py(v)}, {area.x + area.width, py(v)}, kGrid);
        cv::putText(image, formatNumber(v), {4, py(v) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.35, kInk);
    }
    for (int i = 0; i <= 4; ++i) {
        const int t = T * i / 4;
        cv::line(image, {px(t), area.y + area.height}, {px(t), area.y + area.height + 4}, kInk);
        cv::putText(image, std::to_string(t), {px(t) - 10, area.y + area.height + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.35,
                    kInk);
    }
    cv::rectangle(image, area, kInk);
    if (low < 0)
        cv::line(image, {area.x, py(0)}, {area.x + area.width, py(0)}, kInk);
    cv::putText(image, label, {area.x + 4, area.y - 6}, cv::FONT_HERSHEY_SIMPLEX, 0.45, kInk);
    for (size_t w = 1; w < imp.widths.size(); ++w) {
        const cv::Scalar colour = kColours[(w - 1) % std::size(kColours)];
        cv::Point previous;
        for (int b = 0; b < imp.bins(); ++b) {
            const cv::Point p(px(0.5 * (imp.binEdges[b] + imp.binEdges[b + 1])), py(values[b][w]));
            cv::circle(image, p, 2, colour, cv::FILLED, cv::LINE_AA);
            if (b > 0)
                cv::line(image, previous, p, colour, 2, cv::LINE_AA);
            previous = p;
        }
        const cv::Point key(area.x + area.width - 90, area.y + 14 + 14 * int(w - 1));
        cv::line(image, key, key + cv::Point(16, 0), colour, 2, cv::LINE_AA);
        cv::putText(image, "width " + formatNumber(imp.widths[w]), key + cv::Point(20, 4), cv::FONT_HERSHEY_SIMPLEX,
                    0.35, kInk);
    }
}

}  // namespace

void writeImportancePlot(const std::string& path, const StepImportance& importance, const std::string& title)
{
    if (importance.bins() < 1 || importance.epsDeparture.size() != size_t(importance.bins()))
        throw Error("no step importance to plot");
    const bool withDistance = !importance.distanceChange.empty();
    const int panelHeight = 200, width = 640;
    cv::Mat image(60 + (panelHeight + 50) * (withDistance ? 2 : 1), width, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(image, title, {10, 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, kInk);
    const cv::Rect first(60, 50, width - 80, panelHeight);
    drawPanel(image, first, importance, importance.epsDeparture,
              "eps departure from full width (MSE) vs training timestep t (0 = clean)");
    if (withDistance)
        drawPanel(image, first + cv::Point(0, panelHeight + 50), importance, importance.distanceChange,
                  "distance change with only this bin narrowed");
    writePngWithText(path, image, {});
}

}  // namespace ddsm
