// Per-step widths back on the training axis that schedule files use.
#include "api/ddsm_api.h"

#include "schedule/respacing.h"
#include "search/schedule_export.h"

namespace ddsm::api {

std::vector<double> widthsByTimestep(int T, const std::vector<double>& stepWidths)
{
    return scheduleFromStepWidths(T, respacedTimesteps(T, int(stepWidths.size())), stepWidths).widths();
}

}  // namespace ddsm::api
