# Linearizability checker tests (included from tests/CMakeLists.txt).
add_executable(checker_tests checker_linearizability_test.cpp checker_models_test.cpp checker_formats_test.cpp
               checker_edn_export_test.cpp checker_edn_reader_test.cpp
               checker_counterexample_test.cpp)
target_link_libraries(checker_tests PRIVATE eclat_all GTest::gtest_main)
target_include_directories(checker_tests PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(checker_tests PRIVATE ECLAT_SHARED_DIR="${ECLAT_SHARED_DIR}")
gtest_discover_tests(checker_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 240)

add_executable(checker_cli_tests checker_cli_test.cpp checker_jepsen_test.cpp)
target_link_libraries(checker_cli_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(checker_cli_tests PRIVATE ECLAT_SHARED_DIR="${ECLAT_SHARED_DIR}"
                           ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(checker_cli_tests eclat)
gtest_discover_tests(checker_cli_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120)

# A verdict needs evidence (issue 22): nothing -> unknown, unpaired -> exit 3,
# a re-check carries the run's state, sparse set ids in little memory.
add_executable(eclat_evidence_tests eclat_evidence_test.cpp)
target_link_libraries(eclat_evidence_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_evidence_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(eclat_evidence_tests eclat)
gtest_discover_tests(eclat_evidence_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120)

# Fuzzing the three parsers (clang + libFuzzer only): cmake -DECLAT_FUZZ=ON
# -DCMAKE_CXX_COMPILER=clang++; targets in tests/fuzz/.
option(ECLAT_FUZZ "build the libFuzzer targets of the history parsers (clang)" OFF)
if(ECLAT_FUZZ)
  add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/fuzz ${CMAKE_BINARY_DIR}/tests/fuzz)
endif()
