# Linearizability checker benchmark (include from bench/CMakeLists.txt):
# every Porcupine history, parse and check times, memory, configurations.
add_executable(linearizability_bench ${CMAKE_CURRENT_LIST_DIR}/linearizability_bench.cpp)
target_link_libraries(linearizability_bench PRIVATE eclat_all)
target_include_directories(linearizability_bench PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(linearizability_bench PRIVATE ECLAT_SHARED_DIR="${ECLAT_SHARED_DIR}")
set_target_properties(linearizability_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# The EDN history reader against the JSON Lines one, on the same operations.
add_executable(edn_read_bench ${CMAKE_CURRENT_LIST_DIR}/edn_read_bench.cpp)
target_link_libraries(edn_read_bench PRIVATE eclat_all)
target_include_directories(edn_read_bench PRIVATE ${CMAKE_SOURCE_DIR})
set_target_properties(edn_read_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
