// ddsm launch: the local ranks of a data-parallel job, as torchrun starts them (api::launch).
#include "commands.h"

#include "api/ddsm_api.h"
#include "args.h"
#include "base/error.h"

#include <algorithm>
#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm launch --nproc N [--master-port P] [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Starts N ranks of COMMAND (e.g. ddsm train ..., ddsm fid ...) with the torchrun\n"
    "environment: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK and\n"
    "LOCAL_WORLD_SIZE. Their output is forwarded line by line as \"[rank R] ...\".\n"
    "If a rank dies or exits non-zero, the others get SIGTERM and, after the grace\n"
    "period, SIGKILL; the exit code is the failed rank's. Ctrl-C reaches every rank.\n"
    "Give each rank one thread (--threads 1) when the ranks share the cores.\n"
    "\n";

// The defaults are the launcher's (api::LaunchOptions).
OptionTable optionTable()
{
    const api::LaunchOptions defaults;
    return {
        {"nproc", "N", "ranks on this machine (required)"},
        {"master-port", "P", "rendezvous port, 0 = any free port", std::to_string(defaults.masterPort)},
        {"master-addr", "HOST", "host of rank 0", defaults.masterAddr},
        {"nnodes", "M", "machines in the job", std::to_string(defaults.nnodes)},
        {"node-rank", "K",
         "this machine's index, 0 .. M-1; its ranks are\n"
         "K*N .. K*N+N-1, and machine 0 hosts rank 0",
         std::to_string(defaults.nodeRank)},
        {"grace", "S", "seconds from a failure to SIGKILL of the rest", numberText(defaults.graceSeconds)},
    };
}

}  // namespace

int runLaunch(const std::vector<std::string>& argv)
{
    const auto separator = std::find(argv.begin(), argv.end(), "--");
    const std::vector<std::string> own(argv.begin(), separator);
    const OptionTable table = optionTable();
    const Args args(own, table);
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, table.help().c_str());
        return 0;
    }
    if (!args.positionals().empty())
        throw Error("unexpected \"" + args.positionals().front() + "\": put the command after --");
    if (!args.has("nproc"))
        throw Error("--nproc N is required");
    api::LaunchOptions options;
    options.nproc = args.getInt("nproc");
    options.masterPort = args.getInt("master-port");
    options.masterAddr = args.get("master-addr");
    options.nnodes = args.getInt("nnodes");
    options.nodeRank = args.getInt("node-rank");
    options.graceSeconds = args.getDouble("grace");
    if (separator != argv.end())
        options.command.assign(separator + 1, argv.end());
    options.note = [](const std::string& message) {
        std::fprintf(stderr, "ddsm launch: %s\n", message.c_str());
        std::fflush(stderr);
    };
    return api::launch(options);
}

}  // namespace ddsm::cli
