# Cluster tests: real namespaces, veths, tc filters and processes (root, or
# unprivileged user namespaces). No mocks.

# Integration tests that run entirely inside a private lab: their main()
# calls lab::enter() before gtest starts, so the host is never touched.
add_executable(eclat_cluster_tests
  ${CMAKE_CURRENT_LIST_DIR}/cluster_main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cluster_network_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cluster_tc_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cluster_process_test.cpp)
target_link_libraries(eclat_cluster_tests PRIVATE eclat_cluster GTest::gtest)
gtest_discover_tests(eclat_cluster_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120 LABELS cluster)

# lab::enter() seen from the host: a helper binary enters a lab, the test
# kills it and checks that nothing is left.
add_executable(eclat_cluster_lab_helper ${CMAKE_CURRENT_LIST_DIR}/cluster_lab_helper.cpp)
target_link_libraries(eclat_cluster_lab_helper PRIVATE eclat_cluster)
add_executable(eclat_cluster_lab_tests ${CMAKE_CURRENT_LIST_DIR}/cluster_lab_test.cpp)
target_link_libraries(eclat_cluster_lab_tests PRIVATE GTest::gtest_main)
target_compile_definitions(eclat_cluster_lab_tests PRIVATE
  ECLAT_LAB_HELPER="$<TARGET_FILE:eclat_cluster_lab_helper>")
add_dependencies(eclat_cluster_lab_tests eclat_cluster_lab_helper)
gtest_discover_tests(eclat_cluster_lab_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120 LABELS cluster
  RUN_SERIAL TRUE)
