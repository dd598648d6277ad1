#pragma once
// Command-line options that become the public API's option structs
// (api/ddsm_api.h): --schedule / --width, --features and --ref.
#include "args.h"

#include "api/ddsm_api.h"

#include <string>

namespace ddsm::cli {

// --schedule FILE or --width W (neither: the model's full width), --snap-widths.
api::ScheduleRequest scheduleRequestFromArgs(const Args& args);

// --features and its TorchScript preprocessing options, --ref.
api::FeatureOptions featureOptionsFromArgs(const Args& args);

// --schedule, --width and --snap-widths: what scheduleRequestFromArgs reads
// (the sampler's options are samplerOptions, common.h).
OptionTable scheduleOptions();
// --snap-widths alone, for commands that take schedules in their own way.
Option snapWidthsOption();

// --features, its TorchScript options and --ref: what featureOptionsFromArgs reads.
OptionTable featureOptions();
// --features and its TorchScript options alone, for commands whose --ref has no default.
OptionTable featureNetworkOptions();

}  // namespace ddsm::cli
