#pragma once
// The message of the ddsm::Error that `body` throws, or "" when it throws none,
// as a std::string or (errorOf<QString>) a QString. Other exceptions pass
// through: a test must not take them for a refusal.
#include "base/error.h"

#include <functional>
#include <string>
#include <type_traits>

class QString;  // complete where errorOf<QString> is used; not included here, before torch's headers

namespace ddsm::test {

template <typename Text = std::string>
Text errorOf(const std::function<void()>& body)
{
    try {
        body();
    } catch (const Error& e) {
        if constexpr (std::is_same_v<Text, QString>)
            return Text::fromStdString(e.what());
        else
            return e.what();
    }
    return {};
}

}  // namespace ddsm::test
