#pragma once
// Where the files shipped with DDSM Studio (models/, resources/schedules/,
// configs/) are found at run time: relative to the running executable, so an
// installed or moved copy finds its own files and never the source tree.
//
//   installed:   PREFIX/bin/ddsm       -> PREFIX/share/ddsm-studio
//   build tree:  BUILD/bin/ddsm        -> BUILD/share/ddsm-studio (links into
//                BUILD/tests/cli/test_x   the source tree, made by CMake)
//
// $DDSM_DATA_DIR overrides the lookup.
#include <string>

namespace ddsm {

// "share/ddsm-studio": the data folder below an install prefix.
inline constexpr const char* kShippedDataSubdir = "share/ddsm-studio";

// The running program's own file (/proc/self/exe), or "" if unknown.
std::string executablePath();

// $DDSM_DATA_DIR if set; else the nearest PARENT/share/ddsm-studio holding a
// models/ folder, PARENT running up from the executable's folder's parent (at
// most three levels, so executables in build-tree subfolders find it too).
// When none exists: the place an install would have it (EXE/../share/ddsm-studio),
// so messages about missing files name where they were expected.
std::string shippedDataDir();

// $DDSM_MODELS_DIR if set, else shippedDataDir() + "/models".
std::string shippedModelsDir();

}  // namespace ddsm
