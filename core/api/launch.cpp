// The local ranks of a data-parallel job (`ddsm launch`).
#include "api/api_internal.h"

#include "distributed/launcher.h"

namespace ddsm::api {

LaunchOptions::LaunchOptions()
{
    const ddsm::LaunchOptions defaults;
    nproc = defaults.nproc;
    nnodes = defaults.nnodes;
    nodeRank = defaults.nodeRank;
    masterAddr = defaults.masterAddr;
    masterPort = defaults.masterPort;
    graceSeconds = defaults.graceSeconds;
}

int launch(const LaunchOptions& options)
{
    ddsm::LaunchOptions launcher;
    launcher.nproc = options.nproc;
    launcher.nnodes = options.nnodes;
    launcher.nodeRank = options.nodeRank;
    launcher.masterAddr = options.masterAddr;
    launcher.masterPort = options.masterPort;
    launcher.graceSeconds = options.graceSeconds;
    launcher.command = options.command;
    return launchLocalRanks(launcher, [&](const std::string& message) {
        if (options.note)
            options.note(message);
    });
}

}  // namespace ddsm::api
