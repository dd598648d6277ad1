// A step importance profile as the API hands it out, its files (the CSV the
// app overlays, the PNG plot) and its per-timestep overlay.
#include "api/api_internal.h"

#include "base/atomic_file.h"
#include "evaluation/step_importance.h"

namespace ddsm::api {

namespace {

StepImportance engineImportance(const ImportanceProfile& p)
{
    StepImportance e;
    e.binEdges = p.binEdges;
    e.widths = p.widths;
    e.epsDeparture = p.epsDeparture;
    e.epsError = p.epsError;
    e.imagesPerBin = p.imagesPerBin;
    e.distanceChange = p.distanceChange;
    e.fullWidthDistance = p.fullWidthDistance;
    e.distanceSamples = p.distanceSamples;
    e.distanceSettings = p.distanceSettings;
    return e;
}

}  // namespace

ImportanceProfile importanceProfile(const StepImportance& e)
{
    ImportanceProfile p;
    p.binEdges = e.binEdges;
    p.widths = e.widths;
    p.epsDeparture = e.epsDeparture;
    p.epsError = e.epsError;
    p.imagesPerBin = e.imagesPerBin;
    p.distanceChange = e.distanceChange;
    p.fullWidthDistance = e.fullWidthDistance;
    p.distanceSamples = e.distanceSamples;
    p.distanceSettings = e.distanceSettings;
    return p;
}

void writeImportanceProfile(const ImportanceProfile& profile, const std::string& prefix, const std::string& title)
{
    const StepImportance importance = engineImportance(profile);
    writeFileAtomically(prefix + ".csv", importanceCsv(importance));
    writeImportancePlot(prefix + ".png", importance, title);
}

ImportanceProfile readImportanceProfile(const std::string& csvPath)
{
    return importanceProfile(importanceFromCsv(readWholeFile(csvPath), csvPath));
}

std::vector<double> importancePerTimestep(const ImportanceProfile& profile, double width, bool distanceChange)
{
    return ddsm::importancePerTimestep(engineImportance(profile), width,
                                       distanceChange ? ImportanceMeasure::DistanceChange
                                                      : ImportanceMeasure::EpsDeparture);
}

}  // namespace ddsm::api
