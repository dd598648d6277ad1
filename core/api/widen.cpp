// A trained model as the prefix of a wider one (`ddsm widen`), its file
// recording where it came from.
#include "api/api_internal.h"

#include "base/sha256.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "training/model_widening.h"

#include <nlohmann/json.hpp>

namespace ddsm::api {

WidenResult widenModel(const WidenOptions& options)
{
    const LoadedModel trained = openSlimmableModel(options.model, "ddsm widen");
    const NetConfig wider = loadNetConfig(options.config);
    const WidenedModel widened = ddsm::widenModel(*trained.net, wider, options.seed);

    const nlohmann::json provenance{{"created_by", "ddsm widen"},
                                    {"from", options.model + "@" + sha256OfFile(options.model)},
                                    {"config", options.config},
                                    {"embedded_width", widened.embeddedWidth},
                                    {"from_provenance", nlohmann::json::parse(trained.provenanceJson)}};
    saveModel(options.out, *widened.net, provenance.dump());
    WidenResult result;
    result.architecture = describe(wider);
    result.embeddedWidth = widened.embeddedWidth;
    result.maxDifference = widened.maxDifference;
    return result;
}

}  // namespace ddsm::api
