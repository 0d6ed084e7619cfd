# Faults measured from inside a lab, on real processes (issue 6).
add_executable(eclat_fault_tests ${CMAKE_CURRENT_LIST_DIR}/cluster_main.cpp
               ${CMAKE_CURRENT_LIST_DIR}/faults_process_clock_test.cpp
               ${CMAKE_CURRENT_LIST_DIR}/faults_network_test.cpp)
target_link_libraries(eclat_fault_tests PRIVATE eclat_all GTest::gtest)
add_dependencies(eclat_fault_tests miroir-node miroir-orchestrator)
gtest_discover_tests(eclat_fault_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120 LABELS cluster RUN_SERIAL TRUE)

# The same integration tests, and a whole chaos run, as an ordinary user
# (acceptance 4 of issue 6). Skipped when ctest already runs unprivileged:
# then every test above is the unprivileged run.
set(ECLAT_UNPRIV ${CMAKE_CURRENT_LIST_DIR}/unprivileged.sh)
set(ECLAT_NODE_BINS $<TARGET_FILE:miroir-node> $<TARGET_FILE:miroir-orchestrator>)
add_test(NAME unprivileged.fault_tests
         COMMAND ${ECLAT_UNPRIV} $<TARGET_FILE:eclat_fault_tests> ${ECLAT_NODE_BINS})
add_test(NAME unprivileged.cluster_tests COMMAND ${ECLAT_UNPRIV} $<TARGET_FILE:eclat_cluster_tests>)
add_test(NAME unprivileged.chaos_run
         COMMAND ${ECLAT_UNPRIV} $<TARGET_FILE:eclat> ${ECLAT_NODE_BINS} --
                 test --time-limit 8 --nemesis kill,pause,partition,clock-skew --set nemesis-interval=1
                 --set nemesis-duration=2 --seed 3)
set_tests_properties(unprivileged.fault_tests unprivileged.cluster_tests unprivileged.chaos_run
                     PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE LABELS "cluster;unprivileged")
