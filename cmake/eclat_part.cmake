# eclat_part(NAME [DIRS dir...] LINK lib...): one part of the eclat binary,
# an OBJECT library of every .cpp in the calling folder (and DIRS below it),
# found by a glob: a new file needs no CMake edit (CONFIGURE_DEPENDS re-globs
# at build time). The parts register their faults, workloads, checkers and
# systems from static initialisers nothing references, so eclat_lib (the
# top-level CMakeLists) takes every part's objects whole.
function(eclat_part name)
  cmake_parse_arguments(P "" "" "DIRS;LINK" ${ARGN})
  set(patterns ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  foreach(d ${P_DIRS})
    list(APPEND patterns ${CMAKE_CURRENT_SOURCE_DIR}/${d}/*.cpp)
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${patterns})
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$")  # a binary's, never a part's
  add_library(${name} OBJECT ${sources})
  target_link_libraries(${name} PUBLIC eclat_base eclat_history nlohmann_json::nlohmann_json ${P_LINK})
  set_property(GLOBAL APPEND PROPERTY ECLAT_PARTS ${name})
endfunction()
