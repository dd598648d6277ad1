#include "api_options.h"

namespace ddsm::cli {

api::ScheduleRequest scheduleRequestFromArgs(const Args& args)
{
    api::ScheduleRequest request;
    request.file = args.get("schedule", "");
    if (args.has("width"))
        request.width = args.getDouble("width", 1.0);
    request.snapWidths = args.has("snap-widths");
    return request;
}

api::FeatureOptions featureOptionsFromArgs(const Args& args)
{
    api::FeatureOptions options;
    options.network = args.get("features", "default");
    options.output = args.get("feature-output", "");
    options.inputSize = args.getInt("feature-size", 299);
    options.range = args.get("feature-range", "0-255");
    options.channels = args.getInt("feature-channels", 3);
    options.reference = args.get("ref", "");
    return options;
}

}  // namespace ddsm::cli
