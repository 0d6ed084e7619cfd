// Shard migrations with real processes on 127.0.0.1: a node added or removed
// while writers insert unique documents, then every acknowledged write must
// be readable and every document on its owners only. Faults: the new node
// refusing writes (its fault hook), the coordinator killed (-9) and
// restarted in the copy and in the drain, a drain stall past a short
// deadline; the bug switches skip-delta + bypass-gate as a positive control;
// the safety gate; concurrent migrations and their limit; miroir-ctl.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "miroir_client_util.hpp"
#include "miroir_test_util.hpp"

using namespace miroir::test;

namespace {

// Fast probes; small copy pages so a copy spans many pages (and a kill can
// land in the middle of one).
std::vector<std::string> flags(std::vector<std::string> extra = {}, int page_size = 50) {
  std::vector<std::string> f = {"--probe-interval-ms", "200", "--copy-page-size", std::to_string(page_size)};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

miroir::MigrationReply add_node(miroir::Orchestrator::Stub& stub, const std::string& name, const std::string& address,
                                uint32_t group = 0) {
  miroir::NodeChangeRequest req;
  req.set_node(name);
  req.set_address(address);
  req.set_group(group);
  miroir::MigrationReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 10s);
  auto st = stub.AddNode(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

miroir::MigrationReply remove_node(miroir::Orchestrator::Stub& stub, const std::string& name) {
  miroir::NodeChangeRequest req;
  req.set_node(name);
  miroir::MigrationReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 10s);
  auto st = stub.RemoveNode(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

std::optional<miroir::MigrationStatus> migration(miroir::Orchestrator::Stub& stub, const std::string& id) {
  miroir::MigrationsRequest req;
  req.set_migration_id(id);
  miroir::MigrationsReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  if (!stub.Migrations(&ctx, req, &reply).ok() || reply.migrations_size() != 1) return std::nullopt;
  return reply.migrations(0);
}

// Polls until the migration's phase satisfies `pred` (the orchestrator may
// be restarting meanwhile); the last status seen.
std::optional<miroir::MigrationStatus> wait_migration(miroir::Orchestrator::Stub& stub, const std::string& id,
                                                      const std::function<bool(const miroir::MigrationStatus&)>& pred,
                                                      std::chrono::milliseconds timeout = 25s) {
  std::optional<miroir::MigrationStatus> last;
  eventually(
      [&] {
        if (auto m = migration(stub, id)) last = m;
        return last && pred(*last);
      },
      timeout);
  return last;
}

std::optional<miroir::MigrationStatus> wait_complete(miroir::Orchestrator::Stub& stub, const std::string& id,
                                                     std::chrono::milliseconds timeout = 25s) {
  return wait_migration(stub, id, [](const auto& m) { return m.phase() == "complete"; }, timeout);
}

std::string describe(const std::optional<miroir::MigrationStatus>& m) {
  if (!m) return "(no status)";
  std::string s = m->id() + " phase " + m->phase() + "; decisions:";
  for (const auto& d : m->decisions()) s += " [" + d + "]";
  return s;
}

void set_fault(NodeProcess& node, double probability) {
  miroir::NodeFaultRequest req;
  req.set_fail_writes_probability(probability);
  miroir::Empty e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(node.stub()->SetFault(&ctx, req, &e).ok());
}

void drain_stall(miroir::Orchestrator::Stub& stub, uint32_t ms) {
  miroir::DrainStallRequest req;
  req.set_stall_ms(ms);
  miroir::Empty e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(stub.SetDrainStall(&ctx, req, &e).ok());
}

// Documents loaded before the migration, in acknowledged batches.
std::vector<std::string> preload(miroir::Orchestrator::Stub& stub, int count, const std::string& prefix = "pre-") {
  std::vector<std::string> ids;
  for (int b = 0; b < count; b += 500) {
    std::vector<std::string> docs;
    for (int i = b; i < std::min(count, b + 500); ++i) {
      ids.push_back(prefix + std::to_string(i));
      docs.push_back(nlohmann::json{{"id", ids.back()}, {"v", i}}.dump());
    }
    auto w = add(stub, docs);
    EXPECT_EQ(w.error_code(), "") << w.error_message();
    EXPECT_EQ(task(stub, w.task_id(), 20000).status(), "succeeded");
  }
  return ids;
}

// Threads inserting unique documents, one per write, each acknowledged when
// its task succeeded (as the harness's client does). Trouble (the
// orchestrator restarting, a refusal) only makes a write not acknowledged.
class Writers {
 public:
  Writers(const std::string& address, int threads, const std::string& prefix) {
    for (int t = 0; t < threads; ++t)
      threads_.emplace_back([this, address, t, prefix] {
        auto stub = miroir::Orchestrator::NewStub(miroir::make_channel(address));
        for (int i = 0; !stop_; ++i) {
          const std::string id = prefix + std::to_string(t) + "-" + std::to_string(i);
          miroir::WriteRequest req;
          req.add_documents(nlohmann::json{{"id", id}, {"t", t}, {"i", i}}.dump());
          miroir::WriteReply w;
          grpc::ClientContext ctx;
          miroir::set_deadline(ctx, 5s);
          if (!stub->AddDocuments(&ctx, req, &w).ok() || !w.error_code().empty()) {
            std::this_thread::sleep_for(20ms);
            continue;
          }
          std::string status;
          for (int round = 0; round < 20 && !stop_hard_; ++round) {
            miroir::TaskRequest tr;
            tr.set_task_id(w.task_id());
            tr.set_wait_ms(500);
            miroir::TaskReply r;
            grpc::ClientContext tctx;
            miroir::set_deadline(tctx, 2s);
            if (!stub->GetTask(&tctx, tr, &r).ok()) {
              std::this_thread::sleep_for(50ms);
              continue;
            }
            if (r.status() == "succeeded" || r.status() == "failed" || r.status() == "unknown") {
              status = r.status();
              break;
            }
          }
          std::lock_guard lock(mu_);
          tasks_.emplace_back(w.task_id(), id);
          if (status == "succeeded") acked_.push_back(id);
        }
      });
  }
  ~Writers() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::vector<std::string> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::vector<std::pair<std::string, std::string>> tasks() {
    std::lock_guard lock(mu_);
    return tasks_;
  }
  size_t acked_count() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }

 private:
  std::atomic<bool> stop_{false}, stop_hard_{false};
  std::mutex mu_;
  std::vector<std::string> acked_;
  std::vector<std::pair<std::string, std::string>> tasks_;  // task id, document id
  std::vector<std::thread> threads_;
};

// The acknowledged ids that the orchestrator does not find by id. A read
// that did not get through (a transport error: on a loaded machine a
// keepalive ping can time out) is asked again.
std::vector<std::string> unreadable(miroir::Orchestrator::Stub& stub, const std::vector<std::string>& ids) {
  std::vector<std::string> missing;
  for (const auto& id : ids) {
    miroir::GetRequest req;
    req.set_id(id);
    miroir::GetReply g;
    grpc::Status st;
    for (int attempt = 0; attempt < 5; ++attempt) {
      grpc::ClientContext ctx;
      miroir::set_deadline(ctx, 5s);
      g.Clear();
      st = stub.GetDocument(&ctx, req, &g);
      if (st.ok()) break;
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
    if (!st.ok() || !g.error_code().empty() || !g.found()) missing.push_back(id);
  }
  return missing;
}

// Documents of `shard` one node holds.
uint64_t node_shard_count(NodeProcess& node, uint32_t shard) {
  miroir::NodeListRequest req;
  req.set_index("docs");
  req.set_shard(shard);
  req.set_limit(1);
  miroir::NodeListReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  EXPECT_TRUE(node.stub()->ListDocuments(&ctx, req, &reply).ok());
  return reply.total();
}

uint64_t node_documents(NodeProcess& node) {
  miroir::Empty e;
  miroir::NodeStatsReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  EXPECT_TRUE(node.stub()->Stats(&ctx, e, &reply).ok());
  return reply.documents();
}

// Placement: every shard's documents on its owner (RF 1, one group) only.
void expect_placement(LocalCluster& cluster, const std::vector<std::string>& nodes) {
  auto stats = cluster_stats(*cluster.stub());
  for (const auto& r : stats.routes()) {
    ASSERT_EQ(r.owners_size(), 1);
    EXPECT_EQ(r.moving_to(), "") << "shard " << r.shard() << " still moving";
    for (const auto& n : nodes)
      if (n != r.owners(0))
        EXPECT_EQ(node_shard_count(cluster.node(n), r.shard()), 0u)
            << n << " still holds documents of shard " << r.shard() << " (owner " << r.owners(0) << ")";
  }
}

const miroir::NodeStatus* node_status(const miroir::ClusterStatsReply& stats, const std::string& name) {
  for (const auto& n : stats.nodes())
    if (n.name() == name) return &n;
  return nullptr;
}

}  // namespace

// Node add under 4 writers: completes, nothing acknowledged is lost, the new
// node owns exactly the shards rendezvous gives it, the old owners keep
// nothing of the moved shards.
TEST(MiroirMigration, AddNodeUnderWritersLosesNothingAndPlacesByRendezvous) {
  LocalCluster cluster("mig-add", ClusterOptions{{3}, 1, 16, flags()});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 2000);
  auto& n4 = cluster.start_extra_node("n4");
  const auto before = cluster_stats(*stub);

  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  EXPECT_EQ(r.migration_id(), "mig-1");
  auto m = wait_complete(*stub, r.migration_id());
  std::this_thread::sleep_for(200ms);  // some writes after the migration too
  writers.stop();
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);

  EXPECT_EQ(m->kind(), "add");
  EXPECT_EQ(m->node(), "n4");
  EXPECT_EQ(m->coordinator(), "o1");
  EXPECT_GT(m->counters().documents_copied(), 0u);
  EXPECT_GT(m->counters().dual_writes(), 0u);
  EXPECT_GT(m->counters().cleaned_documents(), 0u);
  for (const auto& s : m->shards()) EXPECT_EQ(s.state(), "cleaned") << s.shard();

  auto acked = writers.acked();
  ASSERT_GT(acked.size(), 50u);
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, acked), std::vector<std::string>{});

  // Owners: rendezvous over n1..n4 for every shard; moved ones went to n4.
  auto stats = cluster_stats(*stub);
  EXPECT_GT(stats.epoch(), before.epoch());
  EXPECT_EQ(stats.migrations_running(), 0u);
  std::set<uint32_t> moved;
  for (const auto& s : m->shards()) moved.insert(s.shard());
  for (const auto& route : stats.routes()) {
    auto expected = miroir::owners(route.shard(), {"n1", "n2", "n3", "n4"}, 1);
    ASSERT_EQ(route.owners_size(), 1);
    EXPECT_EQ(route.owners(0), expected[0]) << "shard " << route.shard();
    EXPECT_EQ(moved.count(route.shard()) == 1, expected[0] == "n4") << "shard " << route.shard();
  }
  ASSERT_NE(node_status(stats, "n4"), nullptr);
  EXPECT_EQ(node_status(stats, "n4")->state(), "active");
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
  EXPECT_GT(node_documents(n4), 0u);
}

// The new node refuses 20 % of its writes during the whole migration: the
// delta pass writes what it lacks; nothing acknowledged is lost.
TEST(MiroirMigration, WritesFailingOnTheNewNodeAreRepairedByTheDeltaPass) {
  LocalCluster cluster("mig-fault", ClusterOptions{{3}, 1, 16, flags()});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 3000);
  auto& n4 = cluster.start_extra_node("n4");
  set_fault(n4, 0.2);

  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  set_fault(n4, 0);
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);

  const auto& c = m->counters();
  EXPECT_GT(c.writes_failed_on_new(), 0u);
  // A dual-write refused by the new node before the copy passed its key is
  // copied by the background copy itself, so the delta pass writes only
  // those refused behind the copy: fewer than writes_failed_on_new, not more.
  EXPECT_GT(c.delta_documents(), 0u) << c.ShortDebugString();
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// Positive control: no delta pass, the gate bypassed, anti-entropy off: the
// writes the new node refused after the copy passed them are lost.
TEST(MiroirMigration, SkipDeltaWithTheGateBypassedLosesAcknowledgedWrites) {
  LocalCluster cluster("mig-skip", ClusterOptions{{3}, 1, 16,
                                                  flags({"--bug", "skip-delta", "--bug", "bypass-gate",
                                                         "--anti-entropy", "off"},
                                                        20)});
  auto stub = cluster.stub();
  preload(*stub, 3000);
  auto& n4 = cluster.start_extra_node("n4");
  set_fault(n4, 0.2);

  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  set_fault(n4, 0);
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  EXPECT_GT(m->counters().writes_failed_on_new(), 0u);
  EXPECT_EQ(m->counters().delta_documents(), 0u);
  bool skipped = false;
  for (const auto& d : m->decisions()) skipped = skipped || d.find("skip-delta") != std::string::npos;
  EXPECT_TRUE(skipped) << describe(m);
  EXPECT_FALSE(unreadable(*stub, writers.acked()).empty())
      << "skip-delta without anti-entropy must lose the dual-writes the new node refused";
}

// The safety gate: skip-delta with anti-entropy off is refused, nothing changes.
TEST(MiroirMigration, TheGateRefusesSkipDeltaWithoutAntiEntropyAndChangesNothing) {
  LocalCluster cluster("mig-gate", ClusterOptions{{3}, 1, 16, flags({"--bug", "skip-delta", "--anti-entropy", "off"})});
  auto stub = cluster.stub();
  auto& n4 = cluster.start_extra_node("n4");
  const auto before = cluster_stats(*stub);
  auto r = add_node(*stub, "n4", n4.address());
  EXPECT_EQ(r.error_code(), "miroir_unsafe_config");
  EXPECT_NE(r.error_message().find("anti-entropy"), std::string::npos) << r.error_message();
  EXPECT_EQ(r.migration_id(), "");
  auto rm = remove_node(*stub, "n3");
  EXPECT_EQ(rm.error_code(), "miroir_unsafe_config");

  const auto after = cluster_stats(*stub);
  EXPECT_EQ(after.epoch(), before.epoch());
  ASSERT_EQ(after.routes_size(), before.routes_size());
  for (int i = 0; i < after.routes_size(); ++i)
    EXPECT_EQ(after.routes(i).ShortDebugString(), before.routes(i).ShortDebugString());
  EXPECT_EQ(after.nodes_size(), 3);
  EXPECT_FALSE(after.anti_entropy());
  miroir::MigrationsRequest req;
  miroir::MigrationsReply all;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(stub->Migrations(&ctx, req, &all).ok());
  EXPECT_EQ(all.migrations_size(), 0);
}

// Validation of AddNode / RemoveNode.
TEST(MiroirMigration, BadRequestsAreRefusedNamingTheProblem) {
  LocalCluster cluster("mig-bad", ClusterOptions{{3}, 2, 16, flags()});
  auto stub = cluster.stub();
  auto& n4 = cluster.start_extra_node("n4");
  EXPECT_EQ(add_node(*stub, "n1", n4.address()).error_code(), "miroir_bad_request");
  EXPECT_EQ(add_node(*stub, "n4", "localhost:7700").error_code(), "miroir_bad_request");
  EXPECT_EQ(add_node(*stub, "n4", n4.address(), 1).error_code(), "miroir_bad_request");
  auto silent = add_node(*stub, "n5", "127.0.0.1:" + std::to_string(free_port()));
  EXPECT_EQ(silent.error_code(), "miroir_bad_request");
  EXPECT_NE(silent.error_message().find("n5"), std::string::npos) << silent.error_message();
  EXPECT_EQ(add_node(*stub, "n9", n4.address()).error_code(), "miroir_bad_request");  // answers as n4
  EXPECT_EQ(remove_node(*stub, "n9").error_code(), "miroir_bad_request");
  auto small = remove_node(*stub, "n1");  // 3 nodes, RF 2: leaves 2, allowed
  EXPECT_EQ(small.error_code(), "") << small.error_message();
  auto m = wait_complete(*stub, small.migration_id());
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  auto too_few = remove_node(*stub, "n2");  // would leave 1 < RF 2
  EXPECT_EQ(too_few.error_code(), "miroir_bad_request");
  EXPECT_NE(too_few.error_message().find("RF"), std::string::npos) << too_few.error_message();
  EXPECT_EQ(remove_node(*stub, "n1").error_code(), "miroir_bad_request");  // removed already
}

// kill -9 of the coordinator in the middle of the copy, then a restart: the
// migration resumes from its persisted cursor and completes, nothing lost.
TEST(MiroirMigration, CoordinatorKilledDuringTheCopyResumesAndLosesNothing) {
  LocalCluster cluster("mig-kill-copy", ClusterOptions{{3}, 1, 16, flags({}, 20)});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 4000);
  auto& n4 = cluster.start_extra_node("n4");
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto copying = wait_migration(*stub, r.migration_id(), [](const auto& m) {
    return m.phase() == "dual-write" && m.counters().documents_copied() > 100;
  });
  ASSERT_TRUE(copying && copying->phase() == "dual-write") << describe(copying);
  cluster.kill_orchestrator();
  std::this_thread::sleep_for(300ms);
  cluster.restart_orchestrator();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  bool resumed = false;
  for (const auto& d : m->decisions()) resumed = resumed || d.find("resumed") != std::string::npos;
  EXPECT_TRUE(resumed) << describe(m);
  EXPECT_NE(read_file(cluster.orchestrator_log()).find("resumed mig-1 in phase dual-write"), std::string::npos);
  EXPECT_GE(m->counters().documents_copied(), copying->counters().documents_copied());
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// kill -9 of the coordinator while its drain is stalled, then a restart
// (the stall is not persisted): the drain is redone over the persisted
// in-flight list and the migration completes, nothing lost.
TEST(MiroirMigration, CoordinatorKilledDuringTheDrainResumesAndLosesNothing) {
  LocalCluster cluster("mig-kill-drain", ClusterOptions{{3}, 1, 16, flags()});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 1000);
  auto& n4 = cluster.start_extra_node("n4");
  drain_stall(*stub, 20000);
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto draining = wait_migration(*stub, r.migration_id(), [](const auto& m) { return m.phase() == "draining"; });
  ASSERT_TRUE(draining && draining->phase() == "draining") << describe(draining);
  std::this_thread::sleep_for(200ms);
  cluster.kill_orchestrator();
  cluster.restart_orchestrator();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  EXPECT_NE(read_file(cluster.orchestrator_log()).find("resumed mig-1 in phase draining"), std::string::npos);
  EXPECT_GT(m->counters().dual_writes(), 0u);
  EXPECT_EQ(m->counters().undecided_at_deadline(), 0u);
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// Positive control of scenario 19: the in-flight list kept in memory only
// and the delta pass conditional on a tracked failure. The coordinator is
// killed in the drain: after the restart nothing is tracked, the delta pass
// is skipped, and the writes the new node refused are lost.
TEST(MiroirMigration, VolatileInflightWithConditionalDeltaLosesWritesAfterACoordinatorRestart) {
  const auto bugs = flags({"--bug", "volatile-inflight", "--bug", "conditional-delta"}, 20);
  LocalCluster cluster("mig-volatile", ClusterOptions{{3}, 1, 16, bugs});
  auto stub = cluster.stub();
  preload(*stub, 3000);
  auto& n4 = cluster.start_extra_node("n4");
  set_fault(n4, 0.2);
  drain_stall(*stub, 20000);
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto draining = wait_migration(*stub, r.migration_id(), [](const auto& m) { return m.phase() == "draining"; });
  ASSERT_TRUE(draining && draining->phase() == "draining") << describe(draining);
  EXPECT_GT(draining->counters().writes_failed_on_new(), 0u) << "tracked in memory before the restart";
  cluster.kill_orchestrator();
  cluster.restart_orchestrator();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  set_fault(n4, 0);
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  EXPECT_EQ(m->counters().dual_writes(), 0u) << "the restarted coordinator tracked nothing";
  EXPECT_EQ(m->counters().delta_documents(), 0u);
  bool skipped = false;
  for (const auto& d : m->decisions()) skipped = skipped || d.find("delta pass skipped") != std::string::npos;
  EXPECT_TRUE(skipped) << describe(m);
  EXPECT_FALSE(unreadable(*stub, writers.acked()).empty())
      << "the writes the new node refused are lost without the delta pass";
}

// A drain stalled past a short deadline: the decision is recorded, the
// undecided writes' tasks answer "unknown" (never ok later), the delta pass
// runs, the migration completes and no acknowledged write is lost.
TEST(MiroirMigration, DrainDeadlineMarksUndecidedWritesUnknownAndForcesTheDelta) {
  LocalCluster cluster("mig-deadline",
                       ClusterOptions{{3}, 1, 16, flags({"--drain-deadline-ms", "500", "--bug", "conditional-delta"})});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 1000);
  auto& n4 = cluster.start_extra_node("n4");
  drain_stall(*stub, 2000);
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto m = wait_complete(*stub, r.migration_id());
  writers.stop();
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  const auto& c = m->counters();
  EXPECT_GT(c.undecided_at_deadline(), 0u);
  EXPECT_EQ(c.undecided_at_deadline(), c.dual_writes()) << "the stall leaves every dual-write undecided";
  EXPECT_GE(c.drain_ms(), 500u);
  bool deadline = false, forced_delta = true;
  for (const auto& d : m->decisions()) {
    deadline = deadline || d.find("drain deadline 500 ms passed with " + std::to_string(c.undecided_at_deadline()) +
                                  " writes undecided: marked unknown, delta pass forced") != std::string::npos;
    forced_delta = forced_delta && d.find("delta pass skipped") == std::string::npos;
  }
  EXPECT_TRUE(deadline) << describe(m);
  EXPECT_TRUE(forced_delta) << "conditional-delta must not skip a forced delta pass: " << describe(m);
  for (const auto& s : m->shards()) EXPECT_EQ(s.state(), "cleaned");

  size_t unknown = 0;
  for (const auto& [task_id, doc] : writers.tasks()) {
    auto t = task(*stub, task_id, 0);
    if (t.status() == "unknown") {
      ++unknown;
      EXPECT_EQ(t.error().rfind("miroir_drain_deadline: ", 0), 0u) << t.error();
      EXPECT_EQ(task(*stub, task_id, 0).status(), "unknown") << "for good";
    }
  }
  EXPECT_EQ(unknown, c.undecided_at_deadline());
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// Two orchestrators sharing --data: writers go through o2 while o1
// coordinates. o2 follows the epochs (dual-write, cutover, activate) and
// acknowledges them; its dual-writes are in the shared in-flight list, so
// o1's drain sees them; nothing acknowledged through o2 is lost.
TEST(MiroirMigration, WritesThroughAnotherOrchestratorFollowTheEpochs) {
  ClusterOptions options{{3}, 1, 16, flags()};
  options.orchestrators = 2;
  LocalCluster cluster("mig-two-orch", options);
  auto o1 = cluster.stub(0);
  auto o2 = cluster.stub(1);
  auto pre = preload(*o2, 2000);
  auto& n4 = cluster.start_extra_node("n4");
  set_fault(n4, 0.1);
  Writers writers(cluster.orchestrator_address(1), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = add_node(*o1, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto m = wait_complete(*o1, r.migration_id());
  writers.stop();
  set_fault(n4, 0);
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  EXPECT_GT(m->counters().dual_writes(), 0u) << "o2's dual-writes are in the shared in-flight list";
  for (const auto& d : m->decisions()) EXPECT_EQ(d.find("did not acknowledge"), std::string::npos) << d;
  // o2 routes with the final epoch, and both answer the same status.
  EXPECT_TRUE(eventually([&] { return cluster_stats(*o2).epoch() == cluster_stats(*o1).epoch(); }, 2s));
  auto via_o2 = migration(*o2, r.migration_id());
  ASSERT_TRUE(via_o2);
  EXPECT_EQ(via_o2->phase(), "complete");
  auto stats = cluster_stats(*o2);
  ASSERT_NE(node_status(stats, "n4"), nullptr);
  EXPECT_EQ(node_status(stats, "n4")->state(), "active");
  EXPECT_EQ(unreadable(*o2, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*o2, writers.acked()), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*o1, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// Node remove: the removed node's shards move to the remaining nodes; after
// cleanup it holds nothing and is `removed`.
TEST(MiroirMigration, RemoveNodeMovesItsShardsAwayAndLeavesItEmpty) {
  LocalCluster cluster("mig-remove", ClusterOptions{{4}, 1, 16, flags()});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 2000);
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto r = remove_node(*stub, "n4");
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto m = wait_complete(*stub, r.migration_id());
  std::this_thread::sleep_for(200ms);
  writers.stop();
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  EXPECT_EQ(m->kind(), "remove");
  EXPECT_GT(m->shards_size(), 0);
  for (const auto& s : m->shards()) {
    EXPECT_EQ(s.from(), "n4");
    EXPECT_EQ(s.to(), miroir::owners(s.shard(), {"n1", "n2", "n3"}, 1)[0]);
  }
  EXPECT_EQ(node_documents(cluster.node("n4")), 0u);
  auto stats = cluster_stats(*stub);
  ASSERT_NE(node_status(stats, "n4"), nullptr);
  EXPECT_EQ(node_status(stats, "n4")->state(), "removed");
  for (const auto& route : stats.routes()) {
    EXPECT_EQ(route.owners(0), miroir::owners(route.shard(), {"n1", "n2", "n3"}, 1)[0]);
    EXPECT_EQ(route.phase(), "");
  }
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// Two adds at once: each moves the shards the other is not moving; both
// complete, nothing lost, every document on its owner only.
TEST(MiroirMigration, TwoConcurrentAddsComposeAndLoseNothing) {
  LocalCluster cluster("mig-two", ClusterOptions{{3}, 1, 32, flags()});
  auto stub = cluster.stub();
  auto pre = preload(*stub, 2000);
  auto& n4 = cluster.start_extra_node("n4");
  auto& n5 = cluster.start_extra_node("n5");
  Writers writers(cluster.orchestrator_address(), 4, "w-");
  std::this_thread::sleep_for(200ms);
  auto a = add_node(*stub, "n4", n4.address());
  auto b = add_node(*stub, "n5", n5.address());
  ASSERT_EQ(a.error_code(), "") << a.error_message();
  ASSERT_EQ(b.error_code(), "") << b.error_message();
  auto ma = wait_complete(*stub, a.migration_id());
  auto mb = wait_complete(*stub, b.migration_id());
  writers.stop();
  ASSERT_TRUE(ma && ma->phase() == "complete") << describe(ma);
  ASSERT_TRUE(mb && mb->phase() == "complete") << describe(mb);
  std::set<uint32_t> sa, sb;
  for (const auto& s : ma->shards()) sa.insert(s.shard());
  for (const auto& s : mb->shards()) EXPECT_FALSE(sa.count(s.shard())) << "shard " << s.shard() << " moved twice";
  EXPECT_EQ(unreadable(*stub, pre), std::vector<std::string>{});
  EXPECT_EQ(unreadable(*stub, writers.acked()), std::vector<std::string>{});
  expect_placement(cluster, {"n1", "n2", "n3", "n4", "n5"});
  EXPECT_GT(node_documents(n4), 0u);
  EXPECT_GT(node_documents(n5), 0u);
}

// Four migrations run at once; a fifth is refused; the phase stream shows
// them. The drain stall holds them in draining long enough to ask.
TEST(MiroirMigration, AFifthConcurrentMigrationIsRefusedAndPhasesAreStreamed) {
  LocalCluster cluster("mig-five", ClusterOptions{{3}, 1, 64, flags()});
  auto stub = cluster.stub();
  preload(*stub, 500);
  std::vector<NodeProcess*> extra;
  for (int i = 4; i <= 8; ++i) extra.push_back(&cluster.start_extra_node("n" + std::to_string(i)));

  // Watch the phase events.
  grpc::ClientContext watch_ctx;
  auto watch_stub = cluster.stub();
  miroir::Empty empty;
  auto reader = watch_stub->WatchMigrations(&watch_ctx, empty);
  std::mutex mu;
  std::vector<miroir::PhaseEvent> events;
  std::thread watcher([&] {
    for (miroir::PhaseEvent e; reader->Read(&e);) {
      std::lock_guard lock(mu);
      events.push_back(e);
    }
  });
  std::this_thread::sleep_for(100ms);  // the stream is open

  drain_stall(*stub, 3000);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = add_node(*stub, extra[i]->name(), extra[i]->address());
    ASSERT_EQ(r.error_code(), "") << extra[i]->name() << ": " << r.error_message();
    ids.push_back(r.migration_id());
  }
  EXPECT_EQ(cluster_stats(*stub).migrations_running(), 4u);
  auto fifth = add_node(*stub, extra[4]->name(), extra[4]->address());
  EXPECT_EQ(fifth.error_code(), "miroir_too_many_migrations") << fifth.error_message();
  for (const auto& id : ids) {
    auto m = wait_complete(*stub, id);
    ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  }
  EXPECT_EQ(cluster_stats(*stub).migrations_running(), 0u);
  // Room again: the fifth is accepted now.
  auto again = add_node(*stub, extra[4]->name(), extra[4]->address());
  if (again.error_code().empty()) {
    auto m = wait_complete(*stub, again.migration_id());
    ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  } else {
    EXPECT_EQ(again.error_code(), "miroir_bad_request") << again.error_message();  // nothing left to move to it
  }

  watch_ctx.TryCancel();
  watcher.join();
  std::map<std::string, std::vector<std::string>> phases;
  std::map<std::string, std::set<std::string>> shard_states;
  for (const auto& e : events) {
    if (e.shard() < 0)
      phases[e.migration_id()].push_back(e.phase());
    else
      shard_states[e.migration_id()].insert(e.shard_state());
  }
  const std::vector<std::string> order = {"computing", "dual-write", "cutover", "draining",
                                          "delta",     "activate",   "cleanup", "complete"};
  for (const auto& id : ids) {
    EXPECT_EQ(phases[id], order) << id;
    EXPECT_EQ(shard_states[id], (std::set<std::string>{"copying", "copied", "delta-done", "active", "cleaned"})) << id;
  }
  expect_placement(cluster, {"n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"});
}

// A phase-event stream ends when the orchestrator stops (SIGTERM: a prompt,
// clean exit), and a migration stopped that way resumes at the next start.
TEST(MiroirMigration, WatchStreamsEndOnShutdownAndAStoppedMigrationResumes) {
  LocalCluster cluster("mig-stop", ClusterOptions{{3}, 1, 16, flags()});
  auto stub = cluster.stub();
  preload(*stub, 500);
  auto& n4 = cluster.start_extra_node("n4");
  grpc::ClientContext watch_ctx;
  miroir::Empty empty;
  auto reader = stub->WatchMigrations(&watch_ctx, empty);
  std::atomic<int> events{0};
  std::thread watcher([&] {
    for (miroir::PhaseEvent e; reader->Read(&e);) ++events;
  });
  drain_stall(*stub, 20000);
  auto r = add_node(*stub, "n4", n4.address());
  ASSERT_EQ(r.error_code(), "") << r.error_message();
  auto draining = wait_migration(*stub, r.migration_id(), [](const auto& m) { return m.phase() == "draining"; });
  ASSERT_TRUE(draining && draining->phase() == "draining") << describe(draining);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(cluster.stop_orchestrator(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  watcher.join();  // the stream ended
  EXPECT_GT(events.load(), 3);
  EXPECT_NE(read_file(cluster.orchestrator_log()).find("mig-1: stopped in phase draining"), std::string::npos);
  cluster.restart_orchestrator();
  auto m = wait_complete(*stub, r.migration_id());
  ASSERT_TRUE(m && m->phase() == "complete") << describe(m);
  expect_placement(cluster, {"n1", "n2", "n3", "n4"});
}

// miroir-ctl node add / migrations --wait / node remove, against a real cluster.
namespace {
struct CtlResult {
  int code = -1;
  std::string out;
};
CtlResult ctl(const std::string& args) {
  CtlResult r;
  FILE* p = popen((binary("miroir-ctl") + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}
}  // namespace

TEST(MiroirMigration, CtlAddsRemovesAndListsMigrations) {
  LocalCluster cluster("mig-ctl", ClusterOptions{{3}, 1, 16, flags()});
  auto stub = cluster.stub();
  preload(*stub, 300);
  auto& n4 = cluster.start_extra_node("n4");
  const std::string o = " --orchestrator " + cluster.orchestrator_address();
  EXPECT_EQ(ctl("migrations" + o).out, "no migrations\n");
  auto add = ctl("node add n4 --address " + n4.address() + " --group 0" + o);
  EXPECT_EQ(add.code, 0) << add.out;
  EXPECT_EQ(add.out, "mig-1\n");
  auto done = ctl("migrations --wait --timeout 25" + o);
  EXPECT_EQ(done.code, 0) << done.out;
  EXPECT_EQ(done.out.rfind("mig-1 add n4 group=0 phase=complete shards=", 0), 0u) << done.out;
  EXPECT_NE(done.out.find(" copied="), std::string::npos) << done.out;

  auto again = ctl("node add n4 --address " + n4.address() + " --group 0" + o);
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.out.find("miroir_bad_request"), std::string::npos) << again.out;
  EXPECT_EQ(ctl("node add n5 --group 0" + o).code, 2);           // no --address
  EXPECT_EQ(ctl("node move n4" + o).code, 2);                     // bad subcommand
  EXPECT_EQ(ctl("status --wait" + o).code, 2);                    // --wait is for migrations
  EXPECT_EQ(ctl("node remove n4 --orchestrator 127.0.0.1:" + std::to_string(free_port()) + " --timeout-ms 500").code,
            1);

  auto rm = ctl("node remove n4" + o);
  EXPECT_EQ(rm.code, 0) << rm.out;
  EXPECT_EQ(rm.out, "mig-2\n");
  auto both = ctl("migrations --wait --timeout 25" + o);
  EXPECT_EQ(both.code, 0) << both.out;
  EXPECT_NE(both.out.find("\nmig-2 remove n4 group=0 phase=complete"), std::string::npos) << both.out;
  EXPECT_EQ(node_documents(n4), 0u);
}
