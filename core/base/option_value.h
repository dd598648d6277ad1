#pragma once
// Reading an option's value from its text, with the message every option
// gives for a bad one ("option --steps expects an integer, got \"4x\""): the
// command line's parser and the API's training settings share it.
#include <cstdint>
#include <string>

namespace ddsm {

// The whole text must be the number; throws ddsm::Error naming --NAME otherwise.
int64_t parseIntegerOption(const std::string& name, const std::string& text);
uint64_t parseSeedOption(const std::string& name, const std::string& text);  // an integer >= 0
double parseNumberOption(const std::string& name, const std::string& text);  // finite

}  // namespace ddsm
