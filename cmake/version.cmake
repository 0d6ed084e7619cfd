# Writes OUT (a .cpp defining eclat::version_info) from the project version
# and the commit of the source tree, at build time, so that a build made
# after a commit names that commit. configure_file rewrites OUT only when its
# text changes, so an unchanged commit recompiles nothing.
execute_process(COMMAND git -C ${SRC} rev-parse --short=12 HEAD OUTPUT_VARIABLE ECLAT_COMMIT
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR ECLAT_COMMIT STREQUAL "")
  set(ECLAT_COMMIT "unknown")
else()
  execute_process(COMMAND git -C ${SRC} status --porcelain --untracked-files=no OUTPUT_VARIABLE dirty
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    set(ECLAT_COMMIT "${ECLAT_COMMIT}-dirty")
  endif()
endif()
configure_file(${SRC}/core/version.cpp.in ${OUT} @ONLY)
