// miroir-orchestrator in front of three real miroir-nodes on 127.0.0.1, with
// RF=1 and RF=2: writes become tasks that succeed, reads return documents
// without `_miroir_*` fields, reserved fields are refused, a write missing
// quorum fails with miroir_no_quorum, and a list never silently skips the
// shards of a dead node.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "miroir/common/routing.hpp"
#include "miroir_client_util.hpp"
#include "miroir_test_util.hpp"

using namespace miroir::test;

namespace {

class MiroirOrchestrator : public ::testing::TestWithParam<uint32_t> {};

}  // namespace

TEST_P(MiroirOrchestrator, AddThenGetAndListReturnStrippedDocuments) {
  const uint32_t rf = GetParam();
  LocalCluster cluster("orch-rw-rf" + std::to_string(rf), 3, rf);
  auto stub = cluster.stub();
  auto docs = corpus(40, 10);

  auto w = add(*stub, dumps(docs));
  ASSERT_EQ(w.error_code(), "") << w.error_message();
  EXPECT_EQ(w.task_id().rfind("mtask-", 0), 0u) << w.task_id();
  EXPECT_FALSE(w.degraded());
  EXPECT_EQ(w.targets(), 3u);
  EXPECT_EQ(w.acked(), 3u);
  EXPECT_EQ(w.rejected(), 0u);
  EXPECT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  for (const auto& d : docs) {
    auto g = get(*stub, id_text(d));
    ASSERT_TRUE(g.found()) << id_text(d);
    EXPECT_EQ(nlohmann::json::parse(g.json()), d) << g.json();
  }
  EXPECT_FALSE(get(*stub, "absent").found());

  // Every copy holds the document with its `_miroir_shard`.
  for (const auto& d : docs) {
    std::string id = id_text(d);
    for (const auto& owner : owners_of(cluster.config(), id)) {
      auto node = cluster.node(owner).stub();
      miroir::NodeGetRequest r;
      r.set_index("docs");
      r.set_id(id);
      miroir::NodeGetReply nr;
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, 5s);
      ASSERT_TRUE(node->GetDocument(&ctx, r, &nr).ok());
      ASSERT_TRUE(nr.found()) << id << " missing on " << owner;
      EXPECT_EQ(nlohmann::json::parse(nr.json())["_miroir_shard"],
                miroir::shard_for_key(id, cluster.config().shards));
    }
  }

  // The list streams every shard (an empty one too), documents exactly once.
  auto pages = list(*stub, 3);
  std::set<uint32_t> shards_seen;
  std::multiset<std::string> listed;
  for (const auto& p : pages) {
    EXPECT_EQ(p.error_code(), "") << p.error_message();
    shards_seen.insert(p.shard());
    for (const auto& j : p.documents()) {
      auto parsed = nlohmann::json::parse(j);
      for (const auto& [k, v] : parsed.items()) EXPECT_NE(k.rfind("_miroir_", 0), 0u) << j;
      listed.insert(parsed.dump());
    }
  }
  EXPECT_EQ(shards_seen.size(), cluster.config().shards);
  std::multiset<std::string> want;
  for (const auto& d : docs) want.insert(d.dump());
  EXPECT_EQ(listed, want);

  auto stats = cluster_stats(*stub);
  EXPECT_EQ(stats.unreachable_size(), 0);
  EXPECT_EQ(stats.pending_node_tasks(), 0u);

  // Replacing a document reads back the new version.
  auto w2 = add(*stub, {R"({"id":"doc-1","title":"v2"})"});
  ASSERT_EQ(task(*stub, w2.task_id()).status(), "succeeded");
  EXPECT_EQ(nlohmann::json::parse(get(*stub, "doc-1").json()), nlohmann::json::parse(R"({"id":"doc-1","title":"v2"})"));
}

TEST_P(MiroirOrchestrator, RefusesReservedFieldsAndBadDocuments) {
  LocalCluster cluster("orch-bad-rf" + std::to_string(GetParam()), 3, GetParam());
  auto stub = cluster.stub();
  struct Case {
    std::string doc, code;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"id":"x","_miroir_shard":3})", "miroir_reserved_field"},
           {R"({"id":"x","_miroir_updated_at":1})", "miroir_reserved_field"},
           {R"({"id":"x",)", "miroir_bad_document"},
           {R"({"title":"no id"})", "miroir_bad_document"},
           {R"({"id":1.5})", "miroir_bad_document"},
           {R"({"id":-4})", "miroir_bad_document"},
           {R"({"id":""})", "miroir_bad_document"},
           {R"(["id","x"])", "miroir_bad_document"},
       }) {
    // A bad document anywhere in the request refuses the whole request.
    auto w = add(*stub, {R"({"id":"fine"})", c.doc});
    EXPECT_EQ(w.error_code(), c.code) << c.doc;
    EXPECT_NE(w.error_message().find("document 1"), std::string::npos) << w.error_message();
    EXPECT_EQ(w.task_id(), "");
    EXPECT_EQ(w.targets(), 0u);
  }
  EXPECT_FALSE(get(*stub, "fine").found());
  EXPECT_EQ(task(*stub, "mtask-does-not-exist", 0).status(), "unknown");
}

TEST_P(MiroirOrchestrator, ListReportsUnavailableShardsOfADeadNode) {
  const uint32_t rf = GetParam();
  LocalCluster cluster("orch-list-rf" + std::to_string(rf), 3, rf);
  auto stub = cluster.stub();
  auto docs = corpus(60, 0);
  auto w = add(*stub, dumps(docs));
  ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  cluster.node("n1").kill9();
  const auto& c = cluster.config();
  std::set<uint32_t> lost;  // shards with no live owner
  for (uint32_t s = 0; s < c.shards; ++s) {
    auto o = miroir::owners(s, c.groups()[0], rf);
    if (o.size() == 1 && o[0] == "n1") lost.insert(s);
  }
  if (rf == 1) {
    ASSERT_FALSE(lost.empty()) << "n1 owns no shard: the test proves nothing";
  }

  std::set<uint32_t> unavailable;
  size_t listed = 0;
  for (const auto& p : list(*stub, 5)) {
    if (p.error_code() == "miroir_shard_unavailable") {
      unavailable.insert(p.shard());
      EXPECT_EQ(p.documents_size(), 0);
    } else {
      EXPECT_EQ(p.error_code(), "");
      listed += p.documents_size();
    }
  }
  EXPECT_EQ(unavailable, lost);
  size_t expected = 0;
  for (const auto& d : docs)
    if (!lost.count(miroir::shard_for_key(id_text(d), c.shards))) ++expected;
  EXPECT_EQ(listed, expected);

  auto stats = cluster_stats(*stub);
  ASSERT_EQ(stats.unreachable_size(), 1);
  EXPECT_EQ(stats.unreachable(0), "n1");

  if (rf == 1) {
    // get-by-id of a document on the dead node's shard: unavailable, not "not found".
    std::string id = id_owned(c, "n1", true);
    auto g = get(*stub, id);
    EXPECT_EQ(g.error_code(), "miroir_shard_unavailable");
    EXPECT_FALSE(g.found());
  }
}

TEST_P(MiroirOrchestrator, WriteToAShardOfADeadNodeMissesQuorum) {
  const uint32_t rf = GetParam();
  LocalCluster cluster("orch-quorum-rf" + std::to_string(rf), 3, rf);
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  cluster.node("n2").kill9();

  // RF=1 and RF=2 both need every copy (floor(RF/2)+1 = RF): a shard n2 owns
  // cannot reach quorum in the only group.
  std::string on_n2 = id_owned(c, "n2", true);
  auto w = add(*stub, {nlohmann::json{{"id", on_n2}}.dump()});
  EXPECT_EQ(w.error_code(), "miroir_no_quorum") << w.error_message();
  EXPECT_EQ(w.task_id(), "");
  EXPECT_EQ(w.targets(), rf);
  EXPECT_EQ(w.acked(), rf - 1);
  EXPECT_EQ(w.rejected(), 0u) << "a dead node is not a refusal";
  ASSERT_EQ(w.degraded_shards_size(), 1);
  EXPECT_EQ(w.degraded_shards(0), miroir::shard_for_key(on_n2, c.shards));

  std::string elsewhere = id_owned(c, "n2", false);
  ASSERT_FALSE(elsewhere.empty());
  auto ok = add(*stub, {nlohmann::json{{"id", elsewhere}}.dump()});
  EXPECT_EQ(ok.error_code(), "") << ok.error_message();
  EXPECT_FALSE(ok.degraded());
  EXPECT_EQ(task(*stub, ok.task_id()).status(), "succeeded");

  // The node comes back: writes to its shards succeed again (the channel
  // reconnects within about a second).
  cluster.node("n2").start();
  miroir::WriteReply again;
  auto end = std::chrono::steady_clock::now() + 5s;
  do {
    again = add(*stub, {nlohmann::json{{"id", on_n2}, {"v", 2}}.dump()});
  } while (again.error_code() == "miroir_no_quorum" && std::chrono::steady_clock::now() < end);
  EXPECT_EQ(again.error_code(), "");
  EXPECT_EQ(task(*stub, again.task_id()).status(), "succeeded");
}

INSTANTIATE_TEST_SUITE_P(Rf, MiroirOrchestrator, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "rf" + std::to_string(info.param); });

TEST(MiroirOrchestratorProcess, BadFlagsAndConfigExit2) {
  miroir::test::TempDir dir("orch-flags");
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), miroir::test::binary("miroir-orchestrator"));
    miroir::test::Child c(argv, dir / "flags.log");
    return c.wait();
  };
  std::ofstream(dir / "bad.json") << R"({"shards":0,"replication_factor":1,"index":"docs","nodes":[]})";
  EXPECT_EQ(run({"--name", "o1", "--listen", "127.0.0.1:1", "--config", dir / "bad.json", "--data", dir / "d"}), 2);
  EXPECT_NE(miroir::test::read_file(dir / "flags.log").find("\"shards\" must be >= 1"), std::string::npos);
  EXPECT_EQ(run({"--name", "o1", "--listen", "127.0.0.1:1", "--config", dir / "missing.json", "--data", dir / "d"}), 2);
  EXPECT_EQ(run({"--name", "o1"}), 2);
  EXPECT_EQ(run({"--name", "o1", "--listen", "x", "--config", "c", "--data", "d", "--bug", "nope"}), 2);
}

TEST(MiroirOrchestratorProcess, TasksSurviveAnOrchestratorRestart) {
  LocalCluster cluster("orch-restart", 3, 1);
  std::string task_id;
  {
    auto stub = cluster.stub();
    auto w = add(*stub, dumps(corpus(10, 0)));
    ASSERT_EQ(w.error_code(), "");
    task_id = w.task_id();
  }
  EXPECT_EQ(cluster.stop_orchestrator(), 0);
  // Same data directory: the task map is read back from SQLite.
  miroir::test::Child again(
      {miroir::test::binary("miroir-orchestrator"), "--name", "o1", "--listen", cluster.orchestrator_address(),
       "--config", cluster.dir() / "cluster.json", "--data", cluster.dir() / "data-o1"},
      cluster.dir() / "o1-again.log");
  ASSERT_TRUE(miroir::test::wait_healthy<miroir::Orchestrator>(cluster.orchestrator_address(), again));
  auto stub = cluster.stub();
  EXPECT_EQ(task(*stub, task_id).status(), "succeeded");
}
