# Éclat's own tests: unit (history, checkers, configuration) and end-to-end
# runs of the eclat binary in a real lab.
add_executable(eclat_unit_tests eclat_history_test.cpp eclat_set_full_test.cpp eclat_config_test.cpp eclat_catalog_test.cpp
               faults_grudge_test.cpp)
target_link_libraries(eclat_unit_tests PRIVATE eclat_all GTest::gtest_main)
gtest_discover_tests(eclat_unit_tests DISCOVERY_TIMEOUT 30)

# Generators in virtual time (milliseconds for the whole suite).
add_executable(eclat_generator_tests generator_test.cpp)
target_link_libraries(eclat_generator_tests PRIVATE eclat_all GTest::gtest_main)
gtest_discover_tests(eclat_generator_tests DISCOVERY_TIMEOUT 30)

add_executable(eclat_run_tests eclat_run_test.cpp)
target_link_libraries(eclat_run_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_run_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(eclat_run_tests eclat)
gtest_discover_tests(eclat_run_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)

# eclat replay: same client operations and fault schedule as the recorded run.
add_executable(eclat_replay_tests eclat_replay_test.cpp)
target_link_libraries(eclat_replay_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_replay_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(eclat_replay_tests eclat)
gtest_discover_tests(eclat_replay_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)

pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
add_executable(eclat_suite_tests eclat_suite_test.cpp)
target_link_libraries(eclat_suite_tests PRIVATE GTest::gtest_main PkgConfig::LIBXML2 nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_suite_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>"
                           ECLAT_SCENARIOS="${CMAKE_SOURCE_DIR}/tests/scenarios")
add_dependencies(eclat_suite_tests eclat)
gtest_discover_tests(eclat_suite_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)



# Every kind of fault in one run (issue 6, acceptance 2).
add_executable(eclat_faults_run_tests eclat_faults_run_test.cpp)
target_link_libraries(eclat_faults_run_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_faults_run_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(eclat_faults_run_tests eclat miroir-node miroir-orchestrator)
gtest_discover_tests(eclat_faults_run_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)

# The harness's own chaos test (issue 22): SIGKILL at random moments of runs
# of each system; nothing may be left, the partial history must check.
add_executable(eclat_chaos_tests eclat_chaos_test.cpp)
target_link_libraries(eclat_chaos_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_chaos_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>")
add_dependencies(eclat_chaos_tests eclat)
gtest_discover_tests(eclat_chaos_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 400 RUN_SERIAL TRUE)
