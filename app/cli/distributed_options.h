#pragma once
// The torchrun settings as command-line flags: each overrides its environment
// variable (distributedConfig, core/distributed/distributed_config.h, reads
// them by name; the API declares it with the DistributedConfig its options carry).
#include "args.h"

#include "api/ddsm_api.h"

namespace ddsm::cli {

// --world-size, --rank, --local-rank, --master-addr, --master-port, --dist-timeout.
OptionTable distributedOptions();

// Those flags, then the environment, then the defaults.
DistributedConfig distributedConfigFromArgs(const Args& args);

}  // namespace ddsm::cli
