#include "distributed_options.h"

namespace ddsm::cli {

OptionTable distributedOptions()
{
    // Shown only: distributedConfig applies them, after the environment.
    const DistributedConfig defaults;
    return {"distributed (as torchrun; each flag overrides its environment variable):",
            {
                {"world-size", "N", "WORLD_SIZE: number of ranks", std::to_string(defaults.worldSize), "one process"},
                {"rank", "R", "RANK: this process's rank, 0 .. N-1"},
                {"local-rank", "R", "LOCAL_RANK: its rank on this machine", "", "RANK"},
                {"master-addr", "HOST", "MASTER_ADDR: host of rank 0", defaults.masterAddr},
                {"master-port", "P", "MASTER_PORT: rendezvous port on that host", std::to_string(defaults.masterPort)},
                {"dist-timeout", "S",
                 "DDSM_DIST_TIMEOUT: seconds before a missing or hung rank\n"
                 "ends the job",
                 numberText(defaults.timeoutSeconds)},
            }};
}

DistributedConfig distributedConfigFromArgs(const Args& args)
{
    return distributedConfig([&](const std::string& flag) { return args.given(flag); });
}

}  // namespace ddsm::cli
