#include "distributed_options.h"

namespace ddsm::cli {

OptionTable distributedOptions()
{
    return {"distributed (as torchrun; each flag overrides its environment variable):",
            {
                {"world-size", "N", "WORLD_SIZE: number of ranks (default 1: one process)"},
                {"rank", "R", "RANK: this process's rank, 0 .. N-1"},
                {"local-rank", "R", "LOCAL_RANK: its rank on this machine (default: RANK)"},
                {"master-addr", "HOST", "MASTER_ADDR: host of rank 0 (default 127.0.0.1)"},
                {"master-port", "P", "MASTER_PORT: rendezvous port on that host (default 29500)"},
                {"dist-timeout", "S",
                 "DDSM_DIST_TIMEOUT: seconds before a missing or hung rank\n"
                 "ends the job (default 300)"},
            }};
}

DistributedConfig distributedConfigFromArgs(const Args& args)
{
    return distributedConfig([&](const std::string& flag) { return args.get(flag); });
}

}  // namespace ddsm::cli
