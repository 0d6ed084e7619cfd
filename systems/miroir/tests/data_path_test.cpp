// miroir's data path under chaos, through the real eclat binary: the
// replicated topology loses nothing under kills and partitions, the register
// workload is linearizable where miroir promises it, and each bug switch of
// the data path is caught by its checker while the same run without it passes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/eclat_run_util.hpp"

using namespace e2e;

namespace {

struct NemesisCounts {
  int kills = 0, partitions = 0, restarts = 0;
};

NemesisCounts count_faults(const fs::path& history) {
  NemesisCounts c;
  for (const auto& op : read_lines(history)) {
    if (op["process"] != "nemesis" || op["type"] != "info") continue;
    if (op["f"] == "start-kill" && !op["value"]["nodes"].empty()) ++c.kills;
    if (op["f"] == "start-partition" && op["value"].contains("isolated")) ++c.partitions;
    if (op["f"] == "stop-kill") ++c.restarts;
  }
  return c;
}

}  // namespace

// Acceptance: RG=2 RF=2 (two groups of three nodes), set workload, kill and
// partition, 60 s, three seeds: no acknowledged write lost.
class ReplicatedSet : public ::testing::TestWithParam<int> {};

TEST_P(ReplicatedSet, LosesNoAcknowledgedWriteUnderKillAndPartition) {
  auto dir = fresh_results_dir("rg2rf2-" + std::to_string(GetParam()));
  Result r = eclat("test --workload set --nemesis kill,partition --nodes 6 --set groups=2 --set rf=2"
                   " --time-limit 60 --seed " + std::to_string(GetParam()) + " --results " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path run = dir / "miroir-set" / "latest";
  auto results = read_json(run / "results.json");
  EXPECT_EQ(results["checkers"]["lost-writes"]["lost_count"], 0);
  EXPECT_GT(results["checkers"]["lost-writes"]["acknowledged"].get<int>(), 2000);
  auto cluster = read_json(run / "cluster.json");
  EXPECT_EQ(cluster["replication_factor"], 2);
  ASSERT_EQ(cluster["nodes"].size(), 6u);
  EXPECT_EQ(cluster["nodes"][5]["group"], 1);
  auto faults = count_faults(run / "history.jsonl");
  EXPECT_GE(faults.kills, 1);
  EXPECT_GE(faults.partitions, 1);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReplicatedSet, ::testing::Values(1, 2, 3));

// The register workload on one group with RF=1, spread over two
// orchestrators, under kills and partitions: linearizable per key.
TEST(MiroirRegister, IsLinearizableUnderKillAndPartitionThroughTwoOrchestrators) {
  auto dir = fresh_results_dir("register");
  Result r = eclat("test --workload register --nemesis kill,partition --set orchestrators=2 --time-limit 25"
                   " --seed 4 --results " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const fs::path run = dir / "miroir-register" / "latest";
  auto lin = read_json(run / "results.json")["checkers"]["linearizable"];
  EXPECT_EQ(lin["valid"], true) << lin.dump(2);
  int writes = 0, reads = 0;
  for (const auto& op : read_lines(run / "history.jsonl")) {
    if (op["type"] != "ok") continue;
    ASSERT_TRUE(op.contains("key")) << op.dump();
    (op["f"] == "write" ? writes : reads)++;
  }
  EXPECT_GT(writes, 1000);
  EXPECT_GT(reads, 1000);
  for (const char* o : {"nodes/o1/stderr.log", "nodes/o2/stderr.log"}) EXPECT_TRUE(fs::exists(run / o)) << o;
  fs::remove_all(dir);
}

// Positive controls: the run with the bug is invalid by the named checker
// (exit 1); the same run without it is valid (exit 0).
struct Control {
  std::string bug, workload, args, checker;
};

class BugSwitch : public ::testing::TestWithParam<Control> {};

TEST_P(BugSwitch, IsCaughtByItsCheckerAndTheSameRunWithoutItPasses) {
  const Control& c = GetParam();
  auto dir = fresh_results_dir("control-" + c.bug);
  const std::string run_args = "test --workload " + c.workload + " " + c.args + " --seed 7 --results ";
  const fs::path run = dir / ("miroir-" + c.workload) / "latest";

  Result bad = eclat(run_args + dir.string() + " --bug " + c.bug);
  ASSERT_EQ(bad.code, 1) << bad.output;
  auto checker = read_json(run / "results.json")["checkers"][c.checker];
  EXPECT_EQ(checker["valid"], false) << checker.dump(2);
  EXPECT_EQ(read_json(run / "scenario.json")["bug"], nlohmann::json::array({c.bug}));

  Result good = eclat(run_args + dir.string());
  ASSERT_EQ(good.code, 0) << good.output;
  checker = read_json(run / "results.json")["checkers"][c.checker];
  EXPECT_EQ(checker["valid"], true) << checker.dump(2);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    DataPath, BugSwitch,
    ::testing::Values(
        // A node refusing writes: counted as acknowledgements, the refused
        // documents are acknowledged and on no node.
        Control{"ack-any-status", "set",
                "--nemesis fail-writes --time-limit 12 --set nemesis-interval=2 --set nemesis-duration=6",
                "lost-writes"},
        // v1, v2, v1 to a key: the second v1 is never sent, reads keep v2.
        Control{"retry-cache-aba", "register", "--nemesis none --time-limit 10", "linearizable"},
        // Reads ask the owner of shard 0: acknowledged values read as absent.
        Control{"get-by-id-shard0", "register", "--nemesis none --time-limit 10", "linearizable"}),
    [](const auto& info) {
      std::string n = info.param.bug;
      for (auto& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });
