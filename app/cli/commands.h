#pragma once
#include <string>
#include <vector>

namespace ddsm::cli {

// Each returns the process exit code; errors are thrown as ddsm::Error.
int runInfo(const std::vector<std::string>& argv);
int runFlops(const std::vector<std::string>& argv);
int runSample(const std::vector<std::string>& argv);
int runSchedule(const std::vector<std::string>& argv);
int runTrain(const std::vector<std::string>& argv);
int runImportCheckpoint(const std::vector<std::string>&);

}  // namespace ddsm::cli
