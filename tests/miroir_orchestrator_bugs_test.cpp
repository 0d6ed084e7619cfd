// The orchestrator's bug switches as positive controls: each test runs the
// same scenario with the switch (the documented wrong behaviour shows) and
// without it (the design's behaviour), against real processes.
#include <gtest/gtest.h>

#include "miroir_client_util.hpp"
#include "miroir_test_util.hpp"

using namespace miroir::test;

namespace {

std::vector<std::string> bug(bool on, const std::string& name) {
  return on ? std::vector<std::string>{"--bug", name} : std::vector<std::string>{};
}

std::string with(bool on) { return on ? "with" : "without"; }

void set_fault(miroir::Node::Stub& node, double probability) {
  miroir::NodeFaultRequest req;
  req.set_fail_writes_probability(probability);
  miroir::Empty e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(node.SetFault(&ctx, req, &e).ok());
}

class MiroirBugSwitch : public ::testing::TestWithParam<bool> {};

}  // namespace

// ack-any-status: a node that refuses the write (fault hook) still counts
// toward the quorum. RF=2 needs both copies, so by design the write fails;
// with the switch it is accepted and its task succeeds although the
// refusing node stored nothing.
TEST_P(MiroirBugSwitch, AckAnyStatusCountsARefusalAsAnAcknowledgement) {
  const bool on = GetParam();
  LocalCluster cluster("bug-ack-" + with(on), ClusterOptions{{3}, 2, 16, bug(on, "ack-any-status")});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  set_fault(*cluster.node("n1").stub(), 1.0);
  const std::string id = id_owned(c, "n1", true);
  const std::string other = owners_of(c, id)[0] == "n1" ? owners_of(c, id)[1] : owners_of(c, id)[0];

  auto w = add(*stub, {nlohmann::json{{"id", id}, {"v", 1}}.dump()});
  EXPECT_EQ(w.targets(), 2u);
  EXPECT_EQ(w.acked(), 1u) << "the counters stay honest either way";
  EXPECT_EQ(w.rejected(), 1u);
  if (on) {
    ASSERT_EQ(w.error_code(), "") << w.error_message();
    EXPECT_FALSE(w.degraded());
    EXPECT_EQ(task(*stub, w.task_id()).status(), "succeeded") << "no task to follow on the refusing node";
    EXPECT_FALSE(node_get(*cluster.node("n1").stub(), id)) << "n1 refused: it has no copy";
    EXPECT_TRUE(node_get(*cluster.node(other).stub(), id));
  } else {
    EXPECT_EQ(w.error_code(), "miroir_no_quorum") << w.error_message();
    EXPECT_EQ(w.task_id(), "");
  }

  // Deletes share the rule.
  auto d = delete_ids(*stub, {id});
  EXPECT_EQ(d.rejected(), 1u);
  EXPECT_EQ(d.error_code(), on ? "" : "miroir_no_quorum") << d.error_message();

  // The fault cleared, both behave alike.
  set_fault(*cluster.node("n1").stub(), 0);
  auto ok = add(*stub, {nlohmann::json{{"id", id}, {"v", 2}}.dump()});
  ASSERT_EQ(ok.error_code(), "");
  EXPECT_EQ(ok.acked(), 2u);
  EXPECT_EQ(task(*stub, ok.task_id()).status(), "succeeded");
}

// retry-cache-aba: v1, v2, v1 to one key. The third request is byte-identical
// to the first, so with the switch it is answered from the cache and never
// reaches the node: v2 stays. Without it, v1 is the last write.
TEST_P(MiroirBugSwitch, RetryCacheAbaLeavesTheMiddleVersion) {
  const bool on = GetParam();
  LocalCluster cluster("bug-aba-" + with(on), ClusterOptions{{3}, 1, 16, bug(on, "retry-cache-aba")});
  auto stub = cluster.stub();
  const std::string v1 = R"({"id":"k","v":1})", v2 = R"({"id":"k","v":2})";
  for (const auto& doc : {v1, v2, v1}) {
    auto w = add(*stub, {doc});
    ASSERT_EQ(w.error_code(), "") << w.error_message();
    ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded") << "every write is acknowledged";
  }
  auto g = get(*stub, "k");
  ASSERT_TRUE(g.found());
  EXPECT_EQ(nlohmann::json::parse(g.json())["v"], on ? 2 : 1) << g.json();
}

// get-by-id-shard0: the owner of shard 0 is asked whatever the id, so a
// document of another shard, living on another node, reads as not found.
TEST_P(MiroirBugSwitch, GetByIdShard0MissesDocumentsOfOtherShards) {
  const bool on = GetParam();
  LocalCluster cluster("bug-shard0-" + with(on), ClusterOptions{{3}, 1, 16, bug(on, "get-by-id-shard0")});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  const std::string shard0_owner = miroir::owners(0, c.groups()[0], 1)[0];
  const std::string elsewhere = id_owned(c, shard0_owner, false);
  const std::string in_shard0 =
      find_id([&](const std::string& id) { return miroir::shard_for_key(id, c.shards) == 0; });
  ASSERT_FALSE(elsewhere.empty());
  ASSERT_FALSE(in_shard0.empty());
  auto w = add(*stub, {nlohmann::json{{"id", elsewhere}}.dump(), nlohmann::json{{"id", in_shard0}}.dump()});
  ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  auto g = get(*stub, elsewhere);
  EXPECT_EQ(g.error_code(), "");
  EXPECT_EQ(g.found(), !on) << elsewhere << " (shard " << miroir::shard_for_key(elsewhere, c.shards) << ")";
  EXPECT_TRUE(get(*stub, in_shard0).found()) << "shard 0 itself reads fine either way";
}

INSTANTIATE_TEST_SUITE_P(Switch, MiroirBugSwitch, ::testing::Bool(),
                         [](const auto& info) { return info.param ? std::string("on") : std::string("off"); });

TEST(MiroirOrchestratorFlags, BugSwitchesAndProbeIntervalAreChecked) {
  TempDir dir("orch-flags2");
  // Exit 2 with the reason (flags are checked before the configuration is read).
  int runs = 0;
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {binary("miroir-orchestrator"), "--name", "o1", "--listen", "127.0.0.1:1",
                                     "--config", dir / "missing.json", "--data", dir / "d"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string log = dir / ("flags-" + std::to_string(++runs) + ".log");
    Child c(argv, log);
    EXPECT_EQ(c.wait(), 2);
    return read_file(log);
  };
  EXPECT_NE(run({"--probe-interval-ms", "0"}).find("--probe-interval-ms must be"), std::string::npos);
  EXPECT_NE(run({"--probe-interval-ms", "5s"}).find("not \"5s\""), std::string::npos);
  EXPECT_NE(run({"--bug", "ack-any-status", "--bug", "nope"}).find("unknown --bug \"nope\""), std::string::npos);
  {
    Child help({binary("miroir-orchestrator"), "--help"}, dir / "help.log");
    EXPECT_EQ(help.wait(), 0);
  }
  auto usage = read_file(dir / "help.log");
  for (const char* name : {"ack-any-status", "retry-cache-aba", "get-by-id-shard0", "--probe-interval-ms"})
    EXPECT_NE(usage.find(name), std::string::npos) << name;

  // Every switch at once is a valid start.
  LocalCluster cluster("orch-all-bugs",
                       ClusterOptions{{2}, 1, 4,
                                      {"--bug", "ack-any-status", "--bug", "retry-cache-aba", "--bug",
                                       "get-by-id-shard0", "--probe-interval-ms", "250"}});
  EXPECT_NE(read_file(cluster.orchestrator_log()).find("bug switch on: retry-cache-aba"), std::string::npos);
}
