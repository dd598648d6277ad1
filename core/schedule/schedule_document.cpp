#include "schedule/schedule_document.h"

namespace ddsm {

bool operator==(const SamplerRecord& a, const SamplerRecord& b)
{
    return a.kind == b.kind && a.steps == b.steps && a.eta == b.eta && a.seed == b.seed;
}

bool operator==(const ModelIdentity& a, const ModelIdentity& b)
{
    return a.name == b.name && a.sha256 == b.sha256;
}

bool operator==(const ScheduleDocument& a, const ScheduleDocument& b)
{
    return a.schedule == b.schedule && a.name == b.name && a.sampler == b.sampler
           && a.model == b.model && a.costs_json == b.costs_json
           && a.metrics_json == b.metrics_json;
}

}  // namespace ddsm
