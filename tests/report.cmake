# What a run shows: the perf plots (gnuplot), timeline.html (with headless
# Chromium for a 1,000,000-operation history) and the partition pictures
# (Graphviz), on hand-made histories; the timeline's highlights, filters and
# deep links in a headless Chromium driven over the DevTools protocol.
add_executable(eclat_report_tests report_perf_test.cpp report_timeline_test.cpp report_timeline_browser_test.cpp
               report_partitions_test.cpp)
target_link_libraries(eclat_report_tests PRIVATE eclat_all GTest::gtest_main)
gtest_discover_tests(eclat_report_tests DISCOVERY_TIMEOUT 30)
