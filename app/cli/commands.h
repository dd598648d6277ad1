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
int runSearch(const std::vector<std::string>& argv);
int runTrainClassifier(const std::vector<std::string>& argv);
int runStats(const std::vector<std::string>& argv);
int runFid(const std::vector<std::string>& argv);
int runCompare(const std::vector<std::string>& argv);
int runImportance(const std::vector<std::string>& argv);
int runPredictor(const std::vector<std::string>& argv);
int runLaunch(const std::vector<std::string>& argv);
int runWiden(const std::vector<std::string>& argv);
int runCompactCheckpoint(const std::vector<std::string>& argv);

}  // namespace ddsm::cli
