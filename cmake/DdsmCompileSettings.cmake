# One place for the compiler settings every DDSM Studio target shares, linked
# to each of them by link_libraries() in the top-level CMakeLists.txt (in the
# spirit of qBittorrent's CommonConfig.cmake).
#
# Warnings: -Wall -Wextra -Wnon-virtual-dtor -Wold-style-cast on the project's
# own code. LibTorch, OpenCV and Qt come in as system headers (imported
# targets, /usr/include), so their warnings stay out of the build log.
# DDSM_WARNINGS_AS_ERRORS turns them into errors; CI's release build sets it
# (.ci/run), so a change that warns does not land.
#
# The GUI (ui/ and app/studio) also builds with QT_NO_CAST_FROM_ASCII (see
# ui/CMakeLists.txt): no implicit const char* -> QString, so every string a
# user sees goes through tr() or states its encoding. Tests keep the
# conversions for their data tables.
add_library(ddsm_compile_settings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(ddsm_compile_settings INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wnon-virtual-dtor -Wold-style-cast>)
  option(DDSM_WARNINGS_AS_ERRORS "Treat the project's compiler warnings as errors" OFF)
  if(DDSM_WARNINGS_AS_ERRORS)
    target_compile_options(ddsm_compile_settings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endif()
