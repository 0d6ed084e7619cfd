# Faults measured from inside a lab, on real processes (issue 6).
add_executable(eclat_fault_tests ${CMAKE_CURRENT_LIST_DIR}/cluster_main.cpp
               ${CMAKE_CURRENT_LIST_DIR}/faults_process_clock_test.cpp)
target_link_libraries(eclat_fault_tests PRIVATE eclat_all GTest::gtest)
add_dependencies(eclat_fault_tests miroir-node miroir-orchestrator)
gtest_discover_tests(eclat_fault_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120 LABELS cluster RUN_SERIAL TRUE)
