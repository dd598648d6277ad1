#pragma once
// `ddsm launch`: starts the local ranks of a job the way torchrun does, each
// with MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK and
// LOCAL_WORLD_SIZE set, and forwards their output line by line prefixed with
// "[rank R] ". If a rank dies or exits non-zero the others get SIGTERM (a
// training run checkpoints on it) and, after the grace period, SIGKILL.
#include <functional>
#include <string>
#include <vector>

namespace ddsm {

struct LaunchOptions {
    int nproc = 1;                       // ranks on this machine
    int nnodes = 1;                      // machines in the job
    int nodeRank = 0;                    // this machine's index: its ranks are nodeRank * nproc + local rank
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;              // 0: a free port on this machine (one-machine jobs)
    double graceSeconds = 10;            // from the first failure to SIGKILL of the rest
    std::vector<std::string> command;    // "ddsm" as the first word runs this same executable
    void validate() const;               // throws ddsm::Error naming the option
};

// Runs the ranks to completion. Returns 0 when every rank exited with 0,
// otherwise the first failing rank's exit code (128 + signal if it was
// killed). `report` receives the launcher's own messages (which rank failed).
int launchLocalRanks(const LaunchOptions& options, const std::function<void(const std::string&)>& report);

}  // namespace ddsm
