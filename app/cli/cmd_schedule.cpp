// ddsm schedule: convert and describe schedule files.
#include "commands.h"
#include "common.h"

#include "base/error.h"
#include "schedule/schedule_file.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm schedule convert IN OUT [--T N]   JSON <-> search.txt (by extension: .json, .txt)\n"
    "       ddsm schedule show FILE [--T N]         describe a schedule\n"
    "\n"
    "A schedule gives a network width per training timestep t in [0, T), t = 0 the\n"
    "clean image; the paper's search.txt is one list literal of those T widths.\n"
    "\n";

OptionTable optionTable() { return {{"T", "N", "refuse a schedule whose T is not N"}}; }

}  // namespace

int runSchedule(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    const auto& p = args.positionals();
    const std::string help = kHelp + table.help();
    if (args.wantsHelp()) {
        std::fputs(help.c_str(), stdout);
        return 0;
    }
    std::optional<int> T;
    if (args.has("T"))
        T = args.getInt("T");
    if (p.size() == 3 && p[0] == "convert") {
        const ScheduleDocument document = loadSchedule(p[1], T);
        saveSchedule(p[2], document);
        std::printf("wrote %s: T %d, %s\n", p[2].c_str(), document.schedule.T(), document.schedule.description().c_str());
        return 0;
    }
    if (p.size() == 2 && p[0] == "show") {
        const ScheduleDocument document = loadSchedule(p[1], T);
        std::printf("%s: \"%s\", T %d\n", p[1].c_str(), document.name.c_str(), document.schedule.T());
        for (const auto& s : document.schedule.segments())
            std::printf("  t %4d .. %4d  width %g\n", s.t_begin, s.t_end, s.width);
        return 0;
    }
    std::fputs(help.c_str(), stderr);
    return 2;
}

}  // namespace ddsm::cli
