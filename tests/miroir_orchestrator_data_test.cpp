// The orchestrator's data path against real processes on 127.0.0.1: the
// two-rule quorum with RF 2 and 3 and with two replica groups, no
// acknowledged write lost when a node is killed (-9) in a write burst, node
// states driven by health probes, and two orchestrators sharing one data
// directory.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "miroir_client_util.hpp"
#include "miroir_test_util.hpp"

using namespace miroir::test;

namespace {

// Fast probes so node states follow a kill within a fraction of a second.
const std::vector<std::string> kFastProbes = {"--probe-interval-ms", "100"};

const miroir::NodeStatus* status_of(const miroir::ClusterStatsReply& stats, const std::string& name) {
  for (const auto& n : stats.nodes())
    if (n.name() == name) return &n;
  return nullptr;
}

// Waits until the orchestrator's view of `node` satisfies `pred`.
bool wait_node(miroir::Orchestrator::Stub& stub, const std::string& node,
               const std::function<bool(const miroir::NodeStatus&)>& pred,
               std::chrono::milliseconds timeout = 10s) {
  return eventually(
      [&] {
        auto stats = cluster_stats(stub);
        auto* n = status_of(stats, node);
        return n && pred(*n);
      },
      timeout);
}

}  // namespace

TEST(MiroirQuorum, Rf2OneReplicaDownRefusesWithNoQuorum) {
  LocalCluster cluster("quorum-rf2", ClusterOptions{{3}, 2});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  cluster.node("n1").kill9();
  std::string id = id_owned(c, "n1", true);
  auto w = add(*stub, {nlohmann::json{{"id", id}}.dump()});
  EXPECT_EQ(w.error_code(), "miroir_no_quorum") << w.error_message();
  EXPECT_EQ(w.task_id(), "");
  EXPECT_EQ(w.targets(), 2u);
  EXPECT_EQ(w.acked(), 1u);
  ASSERT_EQ(w.degraded_groups_size(), 1);
  EXPECT_EQ(w.degraded_groups(0), 0u);
}

TEST(MiroirQuorum, Rf3OneReplicaDownIsAcceptedNotDegraded) {
  LocalCluster cluster("quorum-rf3", ClusterOptions{{3}, 3, 16, kFastProbes});
  auto stub = cluster.stub();
  cluster.node("n3").kill9();
  auto docs = corpus(30, 5);  // every shard's owners include n3 (RF = nodes)
  auto w = add(*stub, dumps(docs));
  ASSERT_EQ(w.error_code(), "") << w.error_message();
  EXPECT_FALSE(w.degraded()) << "2 of 3 is a quorum: the missing copy goes unreported (a design hazard)";
  EXPECT_EQ(w.degraded_groups_size(), 0);
  EXPECT_EQ(w.targets(), 3u);
  EXPECT_EQ(w.acked(), 2u);
  EXPECT_EQ(w.rejected(), 0u);
  EXPECT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  // Once the prober saw n3 fail, get-by-id never picks it while another
  // owner is up: every read succeeds, whatever the round robin turn.
  ASSERT_TRUE(wait_node(*stub, "n3", [](const auto& n) { return !n.reachable(); }));
  for (int round = 0; round < 3; ++round)
    for (const auto& d : docs) {
      auto g = get(*stub, id_text(d));
      ASSERT_EQ(g.error_code(), "") << g.error_message();
      ASSERT_TRUE(g.found()) << id_text(d);
      EXPECT_EQ(nlohmann::json::parse(g.json()), d);
    }
}

TEST(MiroirQuorum, TwoGroupsOneOwnerDownIsDegradedNamingItsGroupAndShard) {
  // RG=2, RF=1: n1 n2 in group 0, n3 n4 in group 1.
  LocalCluster cluster("quorum-rg2", ClusterOptions{{2, 2}, 1, 16, kFastProbes});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  cluster.node("n4").kill9();

  std::string hit = id_owned(c, "n4", true, 1);
  ASSERT_FALSE(hit.empty());
  const uint32_t shard = miroir::shard_for_key(hit, c.shards);
  nlohmann::json doc = {{"id", hit}, {"v", 1}};
  auto w = add(*stub, {doc.dump()});
  ASSERT_EQ(w.error_code(), "") << w.error_message();
  EXPECT_TRUE(w.degraded());
  ASSERT_EQ(w.degraded_groups_size(), 1);
  EXPECT_EQ(w.degraded_groups(0), 1u);
  ASSERT_EQ(w.degraded_shards_size(), 1);
  EXPECT_EQ(w.degraded_shards(0), shard);
  EXPECT_EQ(w.targets(), 2u);
  EXPECT_EQ(w.acked(), 1u);
  EXPECT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  // A shard whose group-1 owner is alive is not degraded.
  std::string fine = id_owned(c, "n4", false, 1);
  auto w2 = add(*stub, {nlohmann::json{{"id", fine}}.dump()});
  ASSERT_EQ(w2.error_code(), "");
  EXPECT_FALSE(w2.degraded());

  // get-by-id alternates groups and does not fail over: of two consecutive
  // reads one is served by group 0, the other asks group 1's only owner (n4,
  // down, but the only choice there) and reports the shard unavailable.
  ASSERT_TRUE(wait_node(*stub, "n4", [](const auto& n) { return !n.reachable(); }));
  int found = 0, unavailable = 0;
  for (int i = 0; i < 2; ++i) {
    auto g = get(*stub, hit);
    if (g.found()) {
      ++found;
      EXPECT_EQ(nlohmann::json::parse(g.json()), doc);
    } else if (g.error_code() == "miroir_shard_unavailable") {
      ++unavailable;
    }
  }
  EXPECT_EQ(found, 1);
  EXPECT_EQ(unavailable, 1);
}

// A degraded write reached group 1 only; its group-0 copy, back up, lacks it.
// A plain list reads the shard from group 0 and misses the document; the
// all-copies list (what the harness's final read uses) has it and says that
// the copies differ.
TEST(MiroirList, AllCopiesFindsWhatOneCopyMissesAndCountsDivergence) {
  LocalCluster cluster("list-all-copies", ClusterOptions{{2, 2}, 1, 16, kFastProbes});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  const std::string hit = id_owned(c, "n1", true, 0);
  ASSERT_FALSE(hit.empty());
  const uint32_t shard = miroir::shard_for_key(hit, c.shards);
  const std::string other = id_owned(c, "n1", false, 0);
  ASSERT_EQ(add(*stub, {nlohmann::json{{"id", other}}.dump()}).error_code(), "");

  cluster.node("n1").kill9();
  auto w = add(*stub, {nlohmann::json{{"id", hit}, {"v", 1}}.dump()});
  ASSERT_EQ(w.error_code(), "") << w.error_message();
  ASSERT_TRUE(w.degraded());
  ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded");
  cluster.node("n1").start();

  auto ids_in = [](const std::vector<miroir::ListPage>& pages, uint32_t* divergent) {
    std::set<std::string> ids;
    *divergent = 0;
    for (const auto& p : pages) {
      EXPECT_EQ(p.error_code(), "") << p.error_message();
      *divergent += p.divergent();
      for (const auto& d : p.documents()) ids.insert(id_text(nlohmann::json::parse(d)));
    }
    return ids;
  };
  uint32_t divergent = 0;
  auto plain = ids_in(list(*stub, 3), &divergent);
  EXPECT_FALSE(plain.count(hit)) << "group 0's copy of shard " << shard << " should lack it";
  EXPECT_TRUE(plain.count(other));
  EXPECT_EQ(divergent, 0u);

  auto all = ids_in(list(*stub, 3, true), &divergent);
  EXPECT_TRUE(all.count(hit));
  EXPECT_TRUE(all.count(other));
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(divergent, 1u);
}

// kill -9 of a storage node in the middle of a write burst: every write whose
// task succeeded is readable afterwards, by get-by-id and in the list.
class MiroirKillDuringBurst : public ::testing::TestWithParam<uint32_t> {};

TEST_P(MiroirKillDuringBurst, NoAcknowledgedWriteIsLost) {
  const uint32_t rf = GetParam();
  LocalCluster cluster("burst-rf" + std::to_string(rf), ClusterOptions{{3}, rf, 16, kFastProbes});
  struct Accepted {
    std::string task_id;
    std::vector<nlohmann::json> docs;
  };
  std::mutex mu;
  std::vector<Accepted> accepted;
  std::atomic<bool> stop{false};
  std::atomic<int> refused{0};
  constexpr int kWriters = 8;
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t)
    writers.emplace_back([&, t] {
      auto stub = cluster.stub();
      for (int i = 0; !stop; ++i) {
        // 1-3 documents per write, every key written once: a document is
        // there or lost, never shadowed by another write.
        std::vector<nlohmann::json> docs;
        for (int k = 0; k <= i % 3; ++k)
          docs.push_back({{"id", "w" + std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(k)},
                          {"writer", t}, {"i", i}});
        miroir::WriteRequest req;
        for (const auto& d : docs) req.add_documents(d.dump());
        miroir::WriteReply reply;
        grpc::ClientContext ctx;
        miroir::set_deadline(ctx, 10s);
        if (!stub->AddDocuments(&ctx, req, &reply).ok() || !reply.error_code().empty()) {
          ++refused;
          continue;
        }
        std::lock_guard lock(mu);
        accepted.push_back({reply.task_id(), std::move(docs)});
      }
    });
  std::this_thread::sleep_for(500ms);
  cluster.node("n1").kill9();
  std::this_thread::sleep_for(500ms);
  cluster.node("n1").start();
  std::this_thread::sleep_for(500ms);
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GT(accepted.size(), 50u);
  EXPECT_GT(refused.load(), 0) << "no write missed n1: the kill did not land in the burst";

  // Quiescence: every accepted task reaches a final status.
  auto stub = cluster.stub();
  std::map<std::string, nlohmann::json> acknowledged;  // id -> document
  int succeeded = 0;
  for (const auto& a : accepted) {
    auto t = task(*stub, a.task_id, 30000);
    EXPECT_EQ(t.status(), "succeeded") << a.task_id << ": " << t.error();
    if (t.status() != "succeeded") continue;
    ++succeeded;
    for (const auto& d : a.docs) acknowledged[id_text(d)] = d;
  }
  ASSERT_GT(succeeded, 0);
  RecordProperty("accepted", static_cast<int>(accepted.size()));
  RecordProperty("refused", refused.load());
  RecordProperty("documents", static_cast<int>(acknowledged.size()));

  for (const auto& [id, doc] : acknowledged) {
    auto g = get(*stub, id);
    ASSERT_EQ(g.error_code(), "") << id << ": " << g.error_message();
    ASSERT_TRUE(g.found()) << "acknowledged write lost: " << id;
    EXPECT_EQ(nlohmann::json::parse(g.json()), doc) << id;
  }
  std::map<std::string, nlohmann::json> listed;
  for (const auto& p : list(*stub, 500)) {
    EXPECT_EQ(p.error_code(), "") << p.error_message();
    for (const auto& j : p.documents()) {
      auto d = nlohmann::json::parse(j);
      listed[id_text(d)] = d;
    }
  }
  for (const auto& [id, doc] : acknowledged) {
    auto it = listed.find(id);
    ASSERT_NE(it, listed.end()) << "acknowledged write missing from the list: " << id;
    EXPECT_EQ(it->second, doc);
  }
}

INSTANTIATE_TEST_SUITE_P(Rf, MiroirKillDuringBurst, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "rf" + std::to_string(info.param); });

TEST(MiroirNodeProbes, AKilledNodeTurnsFailedAndARestartedOneActive) {
  LocalCluster cluster("probes", ClusterOptions{{2, 1}, 1, 8, kFastProbes});
  auto stub = cluster.stub();
  auto stats = cluster_stats(*stub);
  EXPECT_EQ(stats.shards(), 8u);
  EXPECT_EQ(stats.replication_factor(), 1u);
  EXPECT_EQ(stats.replica_groups(), 2u);
  ASSERT_EQ(stats.nodes_size(), 3);
  for (const auto& n : stats.nodes()) {
    EXPECT_EQ(n.state(), "active") << n.name();
    EXPECT_TRUE(n.reachable()) << n.name();
    EXPECT_EQ(n.address(), cluster.node(n.name()).address());
  }
  EXPECT_EQ(status_of(stats, "n3")->group(), 1u);

  cluster.node("n2").kill9();
  auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_node(*stub, "n2", [](const auto& n) { return n.state() == "failed"; }, 5s))
      << miroir::test::read_file(cluster.orchestrator_log());
  // Three failed probes at 100 ms take 200-300 ms; allow a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - killed, 3s);
  stats = cluster_stats(*stub);
  EXPECT_FALSE(status_of(stats, "n2")->reachable());
  EXPECT_GE(status_of(stats, "n2")->consecutive_failures(), 3u);
  EXPECT_EQ(status_of(stats, "n1")->state(), "active");
  EXPECT_EQ(status_of(stats, "n3")->state(), "active");

  cluster.node("n2").start();
  // Up after two answered probes (plus the channel's reconnect backoff, <= 1 s).
  ASSERT_TRUE(wait_node(*stub, "n2", [](const auto& n) { return n.state() == "active" && n.reachable(); }, 5s))
      << miroir::test::read_file(cluster.orchestrator_log());
  EXPECT_EQ(status_of(cluster_stats(*stub), "n2")->consecutive_failures(), 0u);
}

TEST(MiroirSharedOrchestrators, TwoOrchestratorsOnOneDataDirectoryShareTasks) {
  LocalCluster cluster("two-orch", ClusterOptions{{3}, 2, 16, {}, 2});
  auto o1 = cluster.stub(0), o2 = cluster.stub(1);

  auto w1 = add(*o1, {R"({"id":"a","by":"o1"})"});
  ASSERT_EQ(w1.error_code(), "") << w1.error_message();
  EXPECT_EQ(task(*o2, w1.task_id()).status(), "succeeded") << "a task created through o1, polled through o2";
  auto w2 = add(*o2, {R"({"id":"b","by":"o2"})"});
  ASSERT_EQ(w2.error_code(), "");
  EXPECT_EQ(task(*o1, w2.task_id()).status(), "succeeded");
  for (auto* o : {o1.get(), o2.get()}) {
    EXPECT_EQ(nlohmann::json::parse(get(*o, "a").json()), nlohmann::json::parse(R"({"id":"a","by":"o1"})"));
    EXPECT_EQ(nlohmann::json::parse(get(*o, "b").json()), nlohmann::json::parse(R"({"id":"b","by":"o2"})"));
  }

  // Both write at once (SQLite's write lock goes back and forth between the
  // processes); every task is known to the other one right after the reply.
  constexpr int kThreads = 4, kWrites = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreads; ++t)
    threads.emplace_back([&, t] {
      auto mine = cluster.stub(t % 2), other = cluster.stub(1 - t % 2);
      for (int i = 0; i < kWrites; ++i) {
        auto w = add(*mine, {nlohmann::json{{"id", "c" + std::to_string(t) + "-" + std::to_string(i)}}.dump()});
        if (!w.error_code().empty()) {
          ++failures;
          continue;
        }
        auto s = task(*other, w.task_id(), 0).status();
        if (s == "unknown") ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cluster.stop_orchestrator(0), 0);
  EXPECT_EQ(cluster.stop_orchestrator(1), 0);
}

TEST(MiroirUpdateDelete, MergeAndDeleteReachEveryCopyWithQuorum) {
  LocalCluster cluster("update-delete", ClusterOptions{{3}, 2});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  auto w = add(*stub, {R"({"id":"a","x":1,"y":1,"tags":["t"]})", R"({"id":"b","x":1})"});
  ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded");

  // Add-or-update: fields merged into the stored document; an absent
  // document is inserted.
  auto m = add(*stub, {R"({"id":"a","y":2,"z":3})", R"({"id":"c","only":true})"}, /*merge=*/true);
  ASSERT_EQ(m.error_code(), "") << m.error_message();
  EXPECT_EQ(m.acked(), m.targets());
  ASSERT_EQ(task(*stub, m.task_id()).status(), "succeeded");
  const auto merged = nlohmann::json::parse(R"({"id":"a","x":1,"y":2,"tags":["t"],"z":3})");
  EXPECT_EQ(nlohmann::json::parse(get(*stub, "a").json()), merged);
  EXPECT_EQ(nlohmann::json::parse(get(*stub, "c").json()), nlohmann::json::parse(R"({"id":"c","only":true})"));
  for (const auto& owner : owners_of(c, "a")) {
    auto held = node_get(*cluster.node(owner).stub(), "a");
    ASSERT_TRUE(held) << owner;
    EXPECT_EQ((*held)["_miroir_shard"], miroir::shard_for_key("a", c.shards)) << owner;
    held->erase("_miroir_shard");
    EXPECT_TRUE((*held)["_miroir_updated_at"].is_number_integer()) << "anti-entropy is on: stamped";
    held->erase("_miroir_updated_at");
    EXPECT_EQ(*held, merged) << owner;
  }
  // Reserved fields are refused in an update too.
  EXPECT_EQ(add(*stub, {R"({"id":"a","_miroir_shard":1})"}, true).error_code(), "miroir_reserved_field");

  // Delete by ids: every copy, ids that do not exist are no-ops.
  auto d = delete_ids(*stub, {"a", "absent"});
  ASSERT_EQ(d.error_code(), "") << d.error_message();
  EXPECT_FALSE(d.degraded());
  ASSERT_EQ(task(*stub, d.task_id()).status(), "succeeded");
  auto g = get(*stub, "a");
  EXPECT_EQ(g.error_code(), "");
  EXPECT_FALSE(g.found());
  for (const auto& owner : owners_of(c, "a")) EXPECT_FALSE(node_get(*cluster.node(owner).stub(), "a")) << owner;
  EXPECT_TRUE(get(*stub, "b").found());

  // A bad id refuses the whole request before any node hears of it.
  auto bad = delete_ids(*stub, {"b", ""});
  EXPECT_EQ(bad.error_code(), "miroir_bad_document");
  EXPECT_NE(bad.error_message().find("id 1"), std::string::npos) << bad.error_message();
  EXPECT_EQ(bad.targets(), 0u);

  // RF=2 needs both copies: with one owner of b's shard down, the delete
  // misses quorum and b stays on the live copy.
  const std::string down = owners_of(c, "b")[0], alive = owners_of(c, "b")[1];
  cluster.node(down).kill9();
  auto nd = delete_ids(*stub, {"b"});
  EXPECT_EQ(nd.error_code(), "miroir_no_quorum") << nd.error_message();
  EXPECT_EQ(nd.task_id(), "");
  EXPECT_EQ(nd.acked(), 1u) << "the live copy enqueued the delete: a failed delete may still apply";
  auto nm = add(*stub, {R"({"id":"b","x":2})"}, true);
  EXPECT_EQ(nm.error_code(), "miroir_no_quorum");
}

TEST(MiroirUpdateDelete, DeleteWithOneGroupDownIsDegraded) {
  LocalCluster cluster("delete-rg2", ClusterOptions{{2, 2}, 1});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  std::string id = id_owned(c, "n3", true, 1);
  auto w = add(*stub, {nlohmann::json{{"id", id}}.dump()});
  ASSERT_EQ(task(*stub, w.task_id()).status(), "succeeded");
  cluster.node("n3").kill9();
  auto d = delete_ids(*stub, {id});
  ASSERT_EQ(d.error_code(), "") << d.error_message();
  EXPECT_TRUE(d.degraded());
  ASSERT_EQ(d.degraded_groups_size(), 1);
  EXPECT_EQ(d.degraded_groups(0), 1u);
  ASSERT_EQ(d.degraded_shards_size(), 1);
  EXPECT_EQ(d.degraded_shards(0), miroir::shard_for_key(id, c.shards));
  EXPECT_EQ(task(*stub, d.task_id()).status(), "succeeded");
  EXPECT_FALSE(node_get(*cluster.node(owners_of(c, id, 0)[0]).stub(), id));
}
