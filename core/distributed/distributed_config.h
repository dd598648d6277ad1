#pragma once
// Where a rank finds its job: the torchrun environment (MASTER_ADDR,
// MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK), each overridable by the flag of
// the same name (--master-addr ...). Without WORLD_SIZE (or with 1) the job is
// one process and nothing is opened.
#include <functional>
#include <optional>
#include <string>

namespace ddsm {

struct DistributedConfig {
    std::string masterAddr = "127.0.0.1";  // host of rank 0, which serves the rendezvous store
    int masterPort = 29500;                 // torchrun's default
    int worldSize = 1;
    int rank = 0;
    int localRank = 0;
    // Rendezvous and every collective give up after this long; a rank that
    // died is noticed at once (its connections close), a hung one after it.
    double timeoutSeconds = 300;

    bool distributed() const { return worldSize > 1; }
    std::string describe() const;  // "rank 1 of 2 (local 1), rendezvous 127.0.0.1:29500, timeout 300 s"
    void validate() const;         // throws ddsm::Error naming the variable or flag
};

// Looks a flag up by its name without dashes ("master-port"); empty if absent.
using FlagLookup = std::function<std::optional<std::string>(const std::string& flag)>;

// Flags first, then the environment, then the defaults above. Throws
// ddsm::Error naming the variable or flag whose value is malformed.
DistributedConfig distributedConfig(const FlagLookup& flags);
DistributedConfig distributedConfigFromEnvironment();

// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's
// pick), for tests and `ddsm launch --master-port 0`.
int freeLoopbackPort();

}  // namespace ddsm
