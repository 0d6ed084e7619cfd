// miroir-ctl, the real binary: every golden vector through the command line
// (operators and scripts trust its one-line answers), bad command lines exit
// 2 naming the problem, and `status` describes a running cluster.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "golden_vectors.hpp"
#include "miroir_test_util.hpp"

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr
};

Result ctl(const std::string& args) {
  Result r;
  FILE* p = popen((miroir::test::binary("miroir-ctl") + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string csv(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : ",") + x;
  return s;
}

const miroir::test::GoldenVectors& golden() {
  static const auto g =
      miroir::test::GoldenVectors::load(std::string(ECLAT_SHARED_DIR) + "/data/routing/golden_vectors.txt");
  return g;
}

}  // namespace

TEST(MiroirCtl, AnswersEveryGoldenVectorOnOneLine) {
  const auto& g = golden();
  int checked = 0;
  for (const auto& c : g.shard) {
    EXPECT_EQ(ctl("shard '" + c.key + "' --shards " + std::to_string(c.shards)).out,
              std::to_string(c.shard) + "\n")
        << c.line;
    ++checked;
  }
  for (const auto& c : g.score) {
    EXPECT_EQ(ctl("score --shard " + std::to_string(c.shard) + " --node " + c.node).out,
              std::to_string(c.score) + "\n")
        << c.line;
    ++checked;
  }
  for (const auto& c : g.owners) {
    EXPECT_EQ(ctl("owners --shard " + std::to_string(c.shard) + " --nodes " + csv(g.group0) + " --rf " +
                  std::to_string(c.rf))
                  .out,
              csv(c.owners) + "\n")
        << c.line;
    ++checked;
  }
  for (const auto& c : g.targets) {
    EXPECT_EQ(ctl("write-targets --shard " + std::to_string(c.shard) + " --group " + csv(g.group0) + " --group " +
                  csv(g.group1) + " --rf " + std::to_string(g.kTargetsRf))
                  .out,
              csv(c.targets) + "\n")
        << c.line;
    ++checked;
  }
  for (const auto& c : g.covering) {
    EXPECT_EQ(ctl("covering-set --shards " + std::to_string(g.kCoveringShards) + " --nodes " + csv(g.group0) +
                  " --rf " + std::to_string(g.kCoveringRf) + " --query " + std::to_string(c.q))
                  .out,
              csv(c.nodes) + "\n")
        << c.line;
    ++checked;
  }
  EXPECT_EQ(checked, 20 + 6 + 24 + 4 + 3);
  // The flag may come before the key, and "--flag=value" works too.
  EXPECT_EQ(ctl("shard --shards=64 user:12345").out, "15\n");
}

TEST(MiroirCtl, BadCommandLinesExit2NamingTheProblem) {
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"", "missing COMMAND"},
      {"frobnicate", "unknown command \"frobnicate\""},
      {"shard k", "missing --shards"},
      {"shard k --shards 0", "--shards 0 is out of range"},
      {"shard k --shards -3", "--shards \"-3\" is not a non-negative integer"},
      {"shard --shards 4", "shard needs exactly one KEY"},
      {"owners --shard x --nodes a --rf 1", "--shard \"x\" is not a non-negative integer"},
      {"owners --shard 1 --nodes a,,b --rf 1", "--nodes has an empty node name"},
      {"owners --shard 1 --nodes a --rf 1 --colour red", "unknown flag --colour"},
      {"covering-set --shards 8 --nodes a,b --rf 2", "missing --query"},
      {"write-targets --shard 1 --rf 1", "missing --group"},
  };
  for (const auto& c : cases) {
    Result r = ctl(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << "\n" << r.out;
  }
}

TEST(MiroirCtl, StatusDescribesARunningClusterAndFailsWhenNobodyAnswers) {
  miroir::test::LocalCluster cluster("ctl-status", 3, 2);
  Result r = ctl("status --orchestrator " + cluster.orchestrator_address());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
  EXPECT_NE(r.out.find("shards=16 rf=2 groups=1"), std::string::npos) << r.out;
  for (const char* n : {"n1:g0:active", "n2:g0:active", "n3:g0:active"})
    EXPECT_NE(r.out.find(n), std::string::npos) << n << " in " << r.out;

  Result down = ctl("status --orchestrator 127.0.0.1:" + std::to_string(miroir::test::free_port()) +
                    " --timeout-ms 500");
  EXPECT_EQ(down.code, 1) << down.out;
  EXPECT_NE(down.out.find("did not answer"), std::string::npos) << down.out;
}
