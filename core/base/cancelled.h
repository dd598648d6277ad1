#pragma once
// What a long operation throws when it sees its cancel flag: `what` names the
// operation ("sampling" -> "sampling cancelled"). Callers that offer cancelling
// catch it apart from failures; the others see an Error.
#include "base/error.h"

#include <string>

namespace ddsm {

class Cancelled : public Error {
public:
    explicit Cancelled(const std::string& what) : Error(what + " cancelled") {}
};

}  // namespace ddsm
