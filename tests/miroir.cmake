# miroir tests: routing golden vectors, cluster configuration, and the real
# miroir-node / miroir-orchestrator binaries started as child processes on
# 127.0.0.1 (no lab or privileges needed).
set(MIROIR_TEST_DEFS
  ECLAT_SHARED_DIR="${ECLAT_SHARED_DIR}"
  MIROIR_BIN_DIR="$<TARGET_FILE_DIR:miroir-node>")

function(miroir_test name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE miroir_common miroir_proto GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE ${MIROIR_TEST_DEFS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30)
endfunction()

miroir_test(miroir_routing_test miroir_routing_test.cpp)
miroir_test(miroir_config_test miroir_config_test.cpp)

miroir_test(miroir_node_test miroir_node_test.cpp)
add_dependencies(miroir_node_test miroir-node)

miroir_test(miroir_orchestrator_test miroir_orchestrator_test.cpp)
add_dependencies(miroir_orchestrator_test miroir-node miroir-orchestrator)

miroir_test(miroir_search_test miroir_search_test.cpp)
add_dependencies(miroir_search_test miroir-node miroir-orchestrator)

# The node's stores and group commit, in-process.
miroir_test(miroir_store_test miroir_store_test.cpp)
target_link_libraries(miroir_store_test PRIVATE miroir_node_lib)

# miroir-ctl, the binary, against the golden vectors and a running cluster.
miroir_test(miroir_ctl_test miroir_ctl_test.cpp)
add_dependencies(miroir_ctl_test miroir-ctl miroir-node miroir-orchestrator)

# The orchestrator's parts, in-process (node states, retry cache, task store).
miroir_test(miroir_orchestrator_parts_test miroir_orchestrator_parts_test.cpp)
target_link_libraries(miroir_orchestrator_parts_test PRIVATE miroir_orchestrator_lib)

# The orchestrator data path with real processes: quorum, kills, probes, two orchestrators.
miroir_test(miroir_orchestrator_data_test miroir_orchestrator_data_test.cpp)
add_dependencies(miroir_orchestrator_data_test miroir-node miroir-orchestrator)

# The orchestrator's bug switches, each with and without.
miroir_test(miroir_orchestrator_bugs_test miroir_orchestrator_bugs_test.cpp)
add_dependencies(miroir_orchestrator_bugs_test miroir-node miroir-orchestrator)

# Anti-entropy: divergence repaired, a killed replica filled in, the
# no-repair control, the schedule, --anti-entropy off.
miroir_test(miroir_anti_entropy_test miroir_anti_entropy_test.cpp)
add_dependencies(miroir_anti_entropy_test miroir-node miroir-orchestrator)
# Migrations (node add/remove) with real processes: writers, faults on the
# new node, coordinator kills, drain deadline, gate, concurrency, miroir-ctl.
miroir_test(miroir_migration_test miroir_migration_test.cpp)
add_dependencies(miroir_migration_test miroir-node miroir-orchestrator miroir-ctl)
