# miroir benchmarks (include from bench/CMakeLists.txt).
# miroir_write_bench: acknowledged writes/s through a local 3-node cluster.
add_executable(miroir_write_bench ${CMAKE_CURRENT_LIST_DIR}/miroir_write_bench.cpp)
target_link_libraries(miroir_write_bench PRIVATE miroir_common miroir_proto)
target_include_directories(miroir_write_bench PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(miroir_write_bench PRIVATE MIROIR_BIN_DIR="$<TARGET_FILE_DIR:miroir-node>")
add_dependencies(miroir_write_bench miroir-node miroir-orchestrator)
set_target_properties(miroir_write_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# miroir_search_bench: search latency through a local 6-node cluster (RG=2, RF=2).
add_executable(miroir_search_bench ${CMAKE_CURRENT_LIST_DIR}/miroir_search_bench.cpp)
target_link_libraries(miroir_search_bench PRIVATE miroir_common miroir_proto)
target_include_directories(miroir_search_bench PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(miroir_search_bench PRIVATE MIROIR_BIN_DIR="$<TARGET_FILE_DIR:miroir-node>")
add_dependencies(miroir_search_bench miroir-node miroir-orchestrator)
set_target_properties(miroir_search_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# migration_bench: wall time of a node add over 100 000 documents (3 nodes -> 4).
add_executable(migration_bench ${CMAKE_CURRENT_LIST_DIR}/migration_bench.cpp)
target_link_libraries(migration_bench PRIVATE miroir_common miroir_proto)
target_include_directories(migration_bench PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(migration_bench PRIVATE MIROIR_BIN_DIR="$<TARGET_FILE_DIR:miroir-node>")
add_dependencies(migration_bench miroir-node miroir-orchestrator)
set_target_properties(migration_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
