# One precompiled <torch/torch.h> per set of code-generation flags, reused by
# every target that includes torch (CMake's REUSE_FROM) instead of one per
# target: each costs ~30 s of compiling and ~570 MB on disk
# (bench/results/pch-clean-build.txt). Two owners, because Qt turns on
# position-independent code for whatever links it:
#   ddsm_torch_pch     the core libraries and the benchmarks
#   ddsm_torch_pch_qt  what links Qt: the test suites and the app's jobs
# The reusing targets add only macros torch's headers never read (Qt's, the
# tests' paths). A target whose flags the compiler found incompatible would
# have the header refused, which CMake's -Winvalid-pch reports (an error in
# CI's build).
function(ddsm_add_torch_pch name)
  # Built only for the targets that reuse it (a build without the GUI and the
  # tests never needs the Qt one).
  add_library(${name} OBJECT EXCLUDE_FROM_ALL ${DDSM_SOURCE_DIR}/cmake/torch_pch.cpp)
  target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES} ${ARGN})
  target_precompile_headers(${name} PRIVATE <torch/torch.h>)
endfunction()

ddsm_add_torch_pch(ddsm_torch_pch)
ddsm_add_torch_pch(ddsm_torch_pch_qt Qt6::Core)
