// partitions: one SVG per partition applied, drawn by Graphviz's library;
// every host a node, each cut link a red dashed edge (an arrow for a one-way
// cut), the title naming when and what was isolated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "checker/checker.hpp"
#include "report_test_util.hpp"

using namespace eclat;
using namespace report_test;
namespace fs = std::filesystem;

namespace {

struct Builder {
  History h;
  void nemesis(const std::string& f, int64_t at, nlohmann::json value, const std::string& error = "") {
    Op o;
    o.index = static_cast<int64_t>(h.size());
    o.process = kNemesisProcess;
    o.f = f;
    o.time = at;
    h.push_back(o);
    o.index++;
    o.type = OpType::info;
    o.time = at + 3 * kMs;
    o.value = std::move(value);
    o.error = error;
    h.push_back(o);
  }
  CheckResult check(const fs::path& dir) const {
    CheckContext ctx{h, nlohmann::json::object(), dir};
    return make_checker("partitions")->check(ctx);
  }
};

// The red dashed edges Graphviz drew (cut links).
size_t cut_edges(const std::string& svg) { return count_of(svg, "stroke=\"#d62728\" stroke-width=\"2.2\" stroke-dasharray"); }

}  // namespace

TEST(ReportPartitions, AnIsolatedHostHasEveryLinkCut) {
  Builder b;
  b.nemesis("start-kill", 1000 * kMs, {{"nodes", {"n3"}}});  // not a partition: no picture
  b.nemesis("stop-kill", 2000 * kMs, {{"restarted", nlohmann::json::array()}});
  b.nemesis("start-partition", 12340 * kMs,
            {{"isolated", "n1"},
             {"grudge", {{"n1", {"n2", "n3", "o1"}}, {"n2", {"n1"}}, {"n3", {"n1"}}, {"o1", {"n1"}}}},
             {"mechanism", "mirred-sink"}});
  b.nemesis("stop-partition", 17000 * kMs, {{"healed_links", 6}});
  TempDir dir("partitions");
  CheckResult r = b.check(dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  ASSERT_EQ(r.details["files"], nlohmann::json::array({(dir.path / "partition-1.svg").string()}));
  std::string svg = slurp(dir.path / "partition-1.svg");
  ASSERT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("partition 1 at 12.34 s: n1 isolated"), std::string::npos);
  EXPECT_NE(svg.find("healed at 17.00 s; 3 of 6 links cut; drop by mirred&#45;sink"), std::string::npos);
  for (const char* host : {"n1", "n2", "n3", "o1"}) EXPECT_NE(svg.find(std::string("<title>") + host + "</title>"), std::string::npos) << host;
  EXPECT_EQ(cut_edges(svg), 3u);
  EXPECT_EQ(count_of(svg, "stroke=\"#9a9a9a\""), 3u);  // n2-n3, n2-o1, n3-o1 intact
  EXPECT_NE(svg.find("fill=\"#f8c9c9\""), std::string::npos);  // the isolated host is marked
  EXPECT_EQ(count_of(svg, "<polygon fill=\"#d62728\""), 0u);   // both ways: no arrowheads
  EXPECT_FALSE(fs::exists(dir.path / "partition-2.svg"));
}

TEST(ReportPartitions, AOneWayCutShowsItsDirection) {
  Builder b;
  // n1 drops what n2 sends it; nothing else is cut.
  b.nemesis("start-partition", 5000 * kMs, {{"grudge", {{"n1", {"n2"}}, {"n2", nlohmann::json::array()}, {"n3", nlohmann::json::array()}}}});
  TempDir dir("partitions-oneway");
  CheckResult r = b.check(dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  std::string svg = slurp(dir.path / "partition-1.svg");
  EXPECT_EQ(cut_edges(svg), 1u);
  EXPECT_NE(svg.find("<title>n2&#45;&gt;n1</title>"), std::string::npos);  // the edge goes n2 -> n1
  EXPECT_EQ(count_of(svg, "<polygon fill=\"#d62728\""), 1u);            // with one arrowhead
  EXPECT_NE(svg.find("1 one way"), std::string::npos);
  EXPECT_NE(svg.find("still active at the end of the history"), std::string::npos);
  EXPECT_EQ(r.details["partitions"][0]["one_way"], 1);
}

TEST(ReportPartitions, HalvesAreNamedAndEachPartitionGetsItsPicture) {
  Builder b;
  nlohmann::json halves = {{"n1", {"n3", "n4"}}, {"n2", {"n3", "n4"}}, {"n3", {"n1", "n2"}}, {"n4", {"n1", "n2"}}};
  b.nemesis("start-partition", 1000 * kMs, {{"grudge", halves}});
  b.nemesis("stop-partition", 2000 * kMs, {{"healed_links", 8}});
  b.nemesis("start-partition", 3000 * kMs, nullptr, "tc refused the filter");  // failed: nothing to draw
  b.nemesis("heal-partition", 3500 * kMs, {{"healed_links", 0}});
  b.nemesis("start-partition", 4000 * kMs, {{"isolated", "n4"}, {"grudge", {{"n4", {"n1", "n2", "n3"}}, {"n1", {"n4"}}, {"n2", {"n4"}}, {"n3", {"n4"}}}}});
  b.nemesis("heal-partition", 6000 * kMs, {{"healed_links", 6}});
  TempDir dir("partitions-halves");
  CheckResult r = b.check(dir.path);
  ASSERT_EQ(r.valid, Verdict::valid) << r.summary;
  ASSERT_EQ(r.details["files"].size(), 2u);
  std::string first = slurp(dir.path / "partition-1.svg");
  EXPECT_NE(first.find("{n1, n2} | {n3, n4}"), std::string::npos);
  EXPECT_EQ(cut_edges(first), 4u);
  std::string second = slurp(dir.path / "partition-2.svg");
  EXPECT_NE(second.find("partition 2 at 4.00 s: n4 isolated"), std::string::npos);
  EXPECT_NE(second.find("healed at 6.00 s"), std::string::npos);
  EXPECT_EQ(cut_edges(second), 3u);
}
