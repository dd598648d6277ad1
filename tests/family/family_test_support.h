#pragma once
// Shared by the family tests: the Python with PyTorch that builds test
// networks, a checkpoint's tensor by name, and a check that an action fails
// with a message naming the culprit.
#include "base/error.h"
#include "family/checkpoint_entry.h"
#include "family/process.h"

#include <QtTest>

#include <functional>
#include <string>
#include <vector>

namespace ddsm::testing {

// Runs tests/family/make_test_networks.py into `dir`; returns an empty string
// on success, else why the networks could not be made (a reason to skip).
inline std::string makeTestNetworks(const QString& dir)
{
    std::string reason;
    if (!checkpointPythonHasTorch(&reason))
        return reason;
    const ProcessResult result = runProcess(
        {checkpointPython(), DDSM_SOURCE_DIR "/tests/family/make_test_networks.py", dir.toStdString()});
    if (result.exitCode != 0)
        QTest::qFail(("make_test_networks.py failed: " + result.output).c_str(), __FILE__, __LINE__);
    return {};
}

// The tensor called `name` in a checkpoint's state dict; undefined when there is none.
inline at::Tensor tensorNamed(const NamedTensors& tensors, const std::string& name)
{
    for (const auto& [key, value] : tensors)
        if (key == name)
            return value;
    return {};
}

// Fails the test unless `action` throws ddsm::Error whose message contains every fragment.
inline bool throwsErrorMentioning(const std::function<void()>& action, const std::vector<std::string>& fragments)
{
    try {
        action();
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& fragment : fragments)
            if (message.find(fragment) == std::string::npos) {
                qWarning("error message lacks \"%s\": %s", fragment.c_str(), message.c_str());
                return false;
            }
        return true;
    } catch (const std::exception& e) {
        qWarning("threw something other than ddsm::Error: %s", e.what());
        return false;
    }
    qWarning("no ddsm::Error was thrown");
    return false;
}

}  // namespace ddsm::testing
