#pragma once
// Runs an external program and collects what it printed; used to run the
// checkpoint converter under Debian's python3-torch. No shell is involved, so
// paths need no quoting.
#include <string>
#include <vector>

namespace ddsm {

struct ProcessResult {
    int exitCode = -1;   // -1 if the program could not start or was killed by a signal
    std::string output;  // stdout and stderr, interleaved
};

// argv[0] is the program path (not searched on PATH). Throws ddsm::Error only
// if the pipe cannot be set up; a program that cannot start gives exitCode -1.
ProcessResult runProcess(const std::vector<std::string>& argv);

}  // namespace ddsm
