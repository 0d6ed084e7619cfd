# eclat serve's parts that need no server: the history search (index, queries,
# damaged and growing files, the index cache).
add_executable(serve_history_tests serve_history_test.cpp)
target_link_libraries(serve_history_tests PRIVATE eclat_all GTest::gtest_main)
gtest_discover_tests(serve_history_tests DISCOVERY_TIMEOUT 30)
