# eclat serve's parts that need no server: the history search (index, queries,
# damaged and growing files, the index cache).
add_executable(serve_history_tests serve_history_test.cpp)
target_link_libraries(serve_history_tests PRIVATE eclat_all GTest::gtest_main)
gtest_discover_tests(serve_history_tests DISCOVERY_TIMEOUT 30)

# eclat serve end to end: the real binary over real run directories, asked
# over raw HTTP (traversal, methods, damaged and missing directories) and in
# headless Chromium (the list filtered, a run's evidence, the history search,
# a live run). Real chaos runs: serial.
add_executable(eclat_serve_tests serve_test.cpp)
target_link_libraries(eclat_serve_tests PRIVATE GTest::gtest_main nlohmann_json::nlohmann_json)
target_compile_definitions(eclat_serve_tests PRIVATE ECLAT_BINARY="$<TARGET_FILE:eclat>" ECLAT_BUILD_DIR="${CMAKE_BINARY_DIR}")
add_dependencies(eclat_serve_tests eclat)
gtest_discover_tests(eclat_serve_tests DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)
