// ddsm compact-checkpoint: a training checkpoint small enough to keep in a
// repository beside its model (api::compactCheckpoint).
#include "commands.h"
#include "common.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm compact-checkpoint RUN/checkpoint.safetensors --out FILE\n\n"
    "Writes the training checkpoint with its Adam moments rounded to bfloat16: about a\n"
    "quarter smaller, weights, EMA weights, batch order and settings exact. Copied into a\n"
    "run folder as checkpoint.safetensors (with the run's loss.csv), `ddsm train --out RUN\n"
    "--resume` continues the run from it, its moments rounded once.\n"
    "\n";

OptionTable optionTable()
{
    return {
        {"out", "FILE", "the compact checkpoint to write (required; may be the input)"},
    };
}

}  // namespace

int runCompactCheckpoint(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp() || args.positionals().size() != 1 || !args.has("out")) {
        std::fprintf(args.wantsHelp() ? stdout : stderr, "%s%s", kHelp, table.help().c_str());
        return args.wantsHelp() ? 0 : 2;
    }
    const std::string in = args.positionals().front(), out = *args.given("out");
    const api::CompactCheckpointResult made = api::compactCheckpoint(in, out);
    std::printf("%s: step %lld, %.1f MB (%s: %.1f MB)\n", out.c_str(), static_cast<long long>(made.step),
                made.bytesAfter / 1e6, in.c_str(), made.bytesBefore / 1e6);
    return 0;
}

}  // namespace ddsm::cli
