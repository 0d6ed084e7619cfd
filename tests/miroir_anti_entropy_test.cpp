// Anti-entropy against real processes on 127.0.0.1: copies made to diverge by
// writing to one node directly converge on the newest version (by
// `_miroir_updated_at`, ties by canonical text), missing documents come back
// (no tombstones), a replica that was killed -9 during writes is filled in,
// the no-anti-entropy-repair control reports without repairing, the
// scheduled pass runs, and `--anti-entropy off` neither stamps nor passes.
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

constexpr uint32_t kBuckets = 256;  // what the orchestrator asks for

miroir::AntiEntropyReply run_ae(miroir::Orchestrator::Stub& stub, const std::vector<uint32_t>& shards = {}) {
  miroir::AntiEntropyRequest req;
  for (auto s : shards) req.add_shards(s);
  miroir::AntiEntropyReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 60s);
  auto st = stub.RunAntiEntropy(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

miroir::NodeFingerprintReply node_fingerprint(miroir::Node::Stub& node, uint32_t shard) {
  miroir::NodeFingerprintRequest req;
  req.set_index("docs");
  req.set_shard(shard);
  miroir::NodeFingerprintReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 10s);
  auto st = node.Fingerprint(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

// Waits for a node task; its final status.
std::string node_wait(miroir::Node::Stub& node, uint64_t uid) {
  miroir::NodeTaskRequest req;
  req.set_task_uid(uid);
  req.set_wait_ms(10000);
  miroir::NodeTaskReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 15s);
  auto st = node.GetTask(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply.status();
}

// Writes (add-or-replace) straight to one node, bypassing the orchestrator.
void node_put(miroir::Node::Stub& node, const std::string& id, const nlohmann::json& doc) {
  miroir::NodeWriteRequest req;
  req.set_index("docs");
  auto* d = req.add_documents();
  d->set_id(id);
  d->set_json(doc.dump());
  miroir::NodeEnqueueReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(node.AddDocuments(&ctx, req, &reply).ok());
  ASSERT_EQ(reply.error_code(), "");
  ASSERT_EQ(node_wait(node, reply.task_uid()), "succeeded");
}

void node_delete(miroir::Node::Stub& node, const std::string& id) {
  miroir::NodeDeleteRequest req;
  req.set_index("docs");
  req.add_ids(id);
  miroir::NodeEnqueueReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(node.DeleteDocuments(&ctx, req, &reply).ok());
  ASSERT_EQ(reply.error_code(), "");
  ASSERT_EQ(node_wait(node, reply.task_uid()), "succeeded");
}

// Every copy's list of one shard: id -> stored JSON.
std::map<std::string, std::string> node_list(miroir::Node::Stub& node, uint32_t shard) {
  std::map<std::string, std::string> out;
  for (uint64_t offset = 0;;) {
    miroir::NodeListRequest req;
    req.set_index("docs");
    req.set_shard(shard);
    req.set_offset(offset);
    req.set_limit(1000);
    miroir::NodeListReply reply;
    grpc::ClientContext ctx;
    miroir::set_deadline(ctx, 10s);
    auto st = node.ListDocuments(&ctx, req, &reply);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return out;
    for (const auto& d : reply.documents()) out[d.id()] = d.json();
    offset += reply.documents_size();
    if (reply.documents_size() < 1000) return out;
  }
}

// The copies (node names) of a shard: owners in every group.
std::vector<std::string> copies_of(const miroir::ClusterConfig& c, uint32_t shard) {
  return miroir::write_targets(shard, c.groups(), c.replication_factor);
}

// Shards whose copies do not all have the same fingerprint.
std::set<uint32_t> differing_shards(LocalCluster& cluster) {
  const auto& c = cluster.config();
  std::set<uint32_t> out;
  for (uint32_t s = 0; s < c.shards; ++s) {
    std::set<uint64_t> digests;
    for (const auto& n : copies_of(c, s)) digests.insert(node_fingerprint(*cluster.node(n).stub(), s).digest());
    if (digests.size() > 1) out.insert(s);
  }
  return out;
}

void expect_succeeded(miroir::Orchestrator::Stub& stub, const miroir::WriteReply& w) {
  ASSERT_EQ(w.error_code(), "") << w.error_message();
  ASSERT_EQ(task(stub, w.task_id()).status(), "succeeded");
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The stored document, with `field` set.
nlohmann::json with(nlohmann::json doc, const std::string& field, const nlohmann::json& value) {
  doc[field] = value;
  return doc;
}

}  // namespace

// RG=2, RF=1: every shard has two copies, n1/n2 (group 0) and n3/n4 (group 1).
TEST(MiroirAntiEntropy, DivergedCopiesConvergeOnTheNewestVersionAndASecondPassFindsNothing) {
  LocalCluster cluster("ae-diverge", ClusterOptions{{2, 2}, 1, 8});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  const int64_t before = now_ms();
  std::vector<nlohmann::json> docs;
  for (int i = 0; i < 40; ++i) docs.push_back({{"id", "k" + std::to_string(i)}, {"v", i}});
  expect_succeeded(*stub, add(*stub, dumps(docs)));
  const int64_t after = now_ms();

  // Writes through the orchestrator are stamped: an integer, its wall clock,
  // the same on every copy; reads strip it.
  std::map<std::string, nlohmann::json> stored;  // id -> as the orchestrator stored it
  for (const auto& d : docs) {
    const std::string id = d["id"];
    const uint32_t shard = miroir::shard_for_key(id, c.shards);
    std::optional<nlohmann::json> first;
    for (const auto& n : copies_of(c, shard)) {
      auto held = node_get(*cluster.node(n).stub(), id);
      ASSERT_TRUE(held) << id << " on " << n;
      ASSERT_TRUE((*held)["_miroir_updated_at"].is_number_integer()) << held->dump();
      EXPECT_GE((*held)["_miroir_updated_at"].get<int64_t>(), before);
      EXPECT_LE((*held)["_miroir_updated_at"].get<int64_t>(), after);
      if (first) {
        EXPECT_EQ(*held, *first) << "every copy of one write stores the same stamp";
      }
      first = held;
    }
    stored[id] = *first;
    auto g = get(*stub, id);
    ASSERT_TRUE(g.found());
    EXPECT_EQ(nlohmann::json::parse(g.json()), d) << "reads strip _miroir_*";
  }

  // Diverge, straight on the nodes (group 0 = first copy, group 1 = second):
  auto g0 = [&](const std::string& id) { return cluster.node(copies_of(c, miroir::shard_for_key(id, c.shards))[0]).stub(); };
  auto g1 = [&](const std::string& id) { return cluster.node(copies_of(c, miroir::shard_for_key(id, c.shards))[1]).stub(); };
  auto shard_of = [&](const std::string& id) { return miroir::shard_for_key(id, c.shards); };
  // k1: a newer version on group 1 only;
  const auto newer = with(with(stored["k1"], "v", "newer"), "_miroir_updated_at", after + 60000);
  node_put(*g1("k1"), "k1", newer);
  // k2: deleted on group 0 only (comes back: no tombstones);
  node_delete(*g0("k2"), "k2");
  // k3: an older version on group 0 (the orchestrator's write wins);
  node_put(*g0("k3"), "k3", with(with(stored["k3"], "v", "older"), "_miroir_updated_at", 1));
  // only: a document on group 1 only, without a stamp (counts as 0, still the only version);
  const nlohmann::json only = {{"id", "only"}, {"v", "only"}, {"_miroir_shard", shard_of("only")}};
  node_put(*g1("only"), "only", only);
  // k4: the same stamp on both copies, different content: the larger canonical text wins ("b" > "a").
  node_put(*g0("k4"), "k4", with(with(stored["k4"], "v", "b"), "_miroir_updated_at", 5));
  node_put(*g1("k4"), "k4", with(with(stored["k4"], "v", "a"), "_miroir_updated_at", 5));

  const std::vector<std::string> changed = {"k1", "k2", "k3", "only", "k4"};
  std::set<uint32_t> shards_changed;
  std::set<std::pair<uint32_t, uint64_t>> buckets_changed;  // (shard, bucket)
  for (const auto& id : changed) {
    shards_changed.insert(shard_of(id));
    buckets_changed.insert({shard_of(id), miroir::key_hash(id) % kBuckets});
  }
  ASSERT_EQ(differing_shards(cluster), shards_changed);
  // keys_compared: every key (on any copy) in a differing bucket of a differing shard.
  std::set<std::string> all_ids = {"only"};
  for (const auto& d : docs) all_ids.insert(d["id"].get<std::string>());
  uint64_t in_buckets = 0;
  for (const auto& id : all_ids)
    if (buckets_changed.count({shard_of(id), miroir::key_hash(id) % kBuckets})) ++in_buckets;

  // A pass over one shard compares that shard only; a shard out of range is refused.
  auto one = run_ae(*stub, {*shards_changed.begin()});
  EXPECT_EQ(one.error_code(), "") << one.error_message();
  EXPECT_EQ(one.shards_compared(), 1u);
  EXPECT_EQ(one.shards_differing(), 1u);
  EXPECT_EQ(run_ae(*stub, {c.shards}).error_code(), "miroir_bad_request");

  // The full pass finds what the one-shard pass left.
  std::set<std::string> left;
  for (const auto& id : changed)
    if (shard_of(id) != *shards_changed.begin()) left.insert(id);
  uint64_t left_in_buckets = 0;
  for (const auto& id : all_ids)
    if (shard_of(id) != *shards_changed.begin() &&
        buckets_changed.count({shard_of(id), miroir::key_hash(id) % kBuckets}))
      ++left_in_buckets;
  uint64_t one_keys = 0;
  for (const auto& id : changed) one_keys += shard_of(id) == *shards_changed.begin();
  EXPECT_EQ(one.keys_differing(), one_keys);
  EXPECT_EQ(one.keys_repaired(), one_keys);
  EXPECT_EQ(one.keys_compared(), in_buckets - left_in_buckets);

  auto r = run_ae(*stub);
  EXPECT_EQ(r.error_code(), "") << r.error_message();
  EXPECT_EQ(r.shards_compared(), c.shards);
  EXPECT_EQ(r.shards_differing(), shards_changed.size() - 1);
  EXPECT_EQ(r.keys_differing(), left.size());
  EXPECT_EQ(r.keys_repaired(), left.size());
  EXPECT_EQ(r.keys_compared(), left_in_buckets);
  EXPECT_EQ(r.copies_unreachable(), 0u);
  EXPECT_GT(r.finished_at_ms(), 0);
  EXPECT_EQ(one.keys_differing() + r.keys_differing(), changed.size());

  // Every copy equal, the newest version everywhere.
  EXPECT_TRUE(differing_shards(cluster).empty());
  auto both = [&](const std::string& id) {
    return std::vector<std::optional<nlohmann::json>>{node_get(*g0(id), id), node_get(*g1(id), id)};
  };
  for (const auto& held : both("k1")) EXPECT_EQ(held, newer);
  for (const auto& held : both("k2")) EXPECT_EQ(held, stored["k2"]) << "the delete is undone";
  for (const auto& held : both("k3")) EXPECT_EQ(held, stored["k3"]);
  for (const auto& held : both("only")) EXPECT_EQ(held, only);
  for (const auto& held : both("k4")) {
    ASSERT_TRUE(held);
    EXPECT_EQ((*held)["v"], "b");
  }
  for (const auto& d : docs) {
    const std::string id = d["id"];
    if (std::find(changed.begin(), changed.end(), id) != changed.end()) continue;
    for (const auto& held : both(id)) EXPECT_EQ(held, stored[id]) << "untouched: " << id;
  }

  auto again = run_ae(*stub);
  EXPECT_EQ(again.shards_compared(), c.shards);
  EXPECT_EQ(again.shards_differing(), 0u);
  EXPECT_EQ(again.keys_compared(), 0u);
  EXPECT_EQ(again.keys_differing(), 0u);
  EXPECT_EQ(again.keys_repaired(), 0u);

  auto stats = cluster_stats(*stub);
  EXPECT_TRUE(stats.anti_entropy());
  EXPECT_EQ(stats.last_anti_entropy().finished_at_ms(), again.finished_at_ms());
  EXPECT_EQ(stats.last_anti_entropy().shards_compared(), c.shards);
}

// RG=2, RF=1: n3 (group 1) is killed -9 while writes go on and misses some;
// restarted, one pass fills it in: every copy equal, nothing lost.
TEST(MiroirAntiEntropy, AReplicaKilledDuringWritesIsFilledInByAPass) {
  LocalCluster cluster("ae-kill", ClusterOptions{{2, 2}, 1, 8, {"--probe-interval-ms", "100"}});
  auto stub = cluster.stub();
  const auto& c = cluster.config();

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::thread writer([&] {
    auto s = cluster.stub();
    for (int b = 0; !stop; ++b) {
      std::vector<std::string> batch;
      std::vector<std::string> ids;
      for (int i = 0; i < 5; ++i) {
        ids.push_back("w" + std::to_string(b) + "-" + std::to_string(i));
        batch.push_back(nlohmann::json{{"id", ids.back()}, {"b", b}}.dump());
      }
      // A short task wait: a batch n3 enqueued just before its kill stays
      // pending until it is back; it is simply not counted as acknowledged.
      auto w = add(*s, batch);
      if (w.error_code().empty() && task(*s, w.task_id(), 1000).status() == "succeeded") {
        std::lock_guard lock(mu);
        acked.insert(ids.begin(), ids.end());
      }
      ++batches;
      std::this_thread::sleep_for(10ms);
    }
  });
  auto wait_batches = [&](int more) {
    const int target = batches + more;
    ASSERT_TRUE(eventually([&] { return batches >= target; }, 15s));
  };
  wait_batches(5);
  cluster.node("n3").kill9();
  wait_batches(20);  // written while n3 is down: group 0 only
  // A pass now: every shard with a copy on n3 is skipped (no repair from
  // partial knowledge), the others compared (writes go on: whether they
  // differ at this instant depends on which node applied its task first).
  uint32_t on_n3 = 0;
  for (uint32_t s = 0; s < c.shards; ++s) {
    auto copies = copies_of(c, s);
    on_n3 += std::count(copies.begin(), copies.end(), "n3");
  }
  ASSERT_GT(on_n3, 0u);
  auto down = run_ae(*stub);
  EXPECT_EQ(down.error_code(), "") << down.error_message();
  EXPECT_EQ(down.copies_unreachable(), on_n3);
  EXPECT_EQ(down.shards_compared(), c.shards - on_n3);
  cluster.node("n3").start();
  wait_batches(5);
  stop = true;
  writer.join();
  ASSERT_GT(acked.size(), 100u);
  // Every node task applied before comparing.
  ASSERT_TRUE(eventually([&] {
    auto st = cluster_stats(*stub);
    return st.unreachable_size() == 0 && st.pending_node_tasks() == 0;
  }, 15s));
  ASSERT_FALSE(differing_shards(cluster).empty()) << "n3 missed the writes made while it was down";

  // The orchestrator's channel to n3 may still be reconnecting: a shard whose
  // copy does not answer is skipped, so pass until one saw every copy.
  miroir::AntiEntropyReply r;
  uint64_t repaired = 0;
  ASSERT_TRUE(eventually([&] {
    r = run_ae(*stub);
    EXPECT_EQ(r.error_code(), "") << r.error_message();
    EXPECT_EQ(r.keys_repaired(), r.keys_differing());
    repaired += r.keys_repaired();
    return r.copies_unreachable() == 0;
  }, 15s));
  EXPECT_GT(repaired, 0u);
  EXPECT_TRUE(differing_shards(cluster).empty());
  auto again = run_ae(*stub);
  EXPECT_EQ(again.keys_differing(), 0u);
  EXPECT_EQ(again.copies_unreachable(), 0u);

  // Nothing lost: every acknowledged document on every copy of its shard.
  std::map<std::string, std::map<std::string, std::string>> listed;  // node -> shard docs, all shards
  for (uint32_t s = 0; s < c.shards; ++s)
    for (const auto& n : copies_of(c, s))
      for (auto& [id, json] : node_list(*cluster.node(n).stub(), s)) listed[n][id] = json;
  for (const auto& id : acked)
    for (const auto& n : copies_of(c, miroir::shard_for_key(id, c.shards)))
      EXPECT_TRUE(listed[n].count(id)) << id << " missing on " << n;
}

TEST(MiroirAntiEntropy, NoRepairBugReportsDifferencesButLeavesThem) {
  // RF=2, one group: both nodes hold every shard.
  LocalCluster cluster("ae-norepair", ClusterOptions{{2}, 2, 4, {"--bug", "no-anti-entropy-repair"}});
  auto stub = cluster.stub();
  const auto& c = cluster.config();
  expect_succeeded(*stub, add(*stub, dumps(corpus(20, 0))));
  node_delete(*cluster.node("n2").stub(), "doc-3");
  const uint32_t shard = miroir::shard_for_key("doc-3", c.shards);
  ASSERT_EQ(differing_shards(cluster), std::set<uint32_t>{shard});

  // Two passes asked at once (they queue) and a third after them.
  std::vector<miroir::AntiEntropyReply> replies(3);
  {
    std::thread other([&] { replies[1] = run_ae(*cluster.stub()); });
    replies[0] = run_ae(*stub);
    other.join();
  }
  replies[2] = run_ae(*stub);
  for (size_t pass = 0; pass < replies.size(); ++pass) {
    const auto& r = replies[pass];
    EXPECT_EQ(r.error_code(), "") << r.error_message();
    EXPECT_EQ(r.shards_compared(), c.shards);
    EXPECT_EQ(r.shards_differing(), 1u);
    EXPECT_EQ(r.keys_differing(), 1u);
    EXPECT_GE(r.keys_compared(), 1u);
    EXPECT_EQ(r.keys_repaired(), 0u);
    EXPECT_EQ(differing_shards(cluster), std::set<uint32_t>{shard}) << "still different after pass " << pass;
    EXPECT_FALSE(node_get(*cluster.node("n2").stub(), "doc-3"));
  }
}

TEST(MiroirAntiEntropy, OffRefusesPassesAndStampsNothing) {
  LocalCluster cluster("ae-off", ClusterOptions{{2}, 2, 4, {"--anti-entropy", "off"}});
  auto stub = cluster.stub();
  auto r = run_ae(*stub);
  EXPECT_EQ(r.error_code(), "miroir_anti_entropy_off");
  EXPECT_EQ(r.shards_compared(), 0u);
  expect_succeeded(*stub, add(*stub, {R"({"id":"a","v":1})"}));
  expect_succeeded(*stub, add(*stub, {R"({"id":"a","w":2})"}, /*merge=*/true));
  for (const char* n : {"n1", "n2"}) {
    auto held = node_get(*cluster.node(n).stub(), "a");
    ASSERT_TRUE(held) << n;
    EXPECT_FALSE(held->contains("_miroir_updated_at")) << held->dump();
    EXPECT_EQ((*held)["_miroir_shard"], miroir::shard_for_key("a", cluster.config().shards));
  }
  auto stats = cluster_stats(*stub);
  EXPECT_FALSE(stats.anti_entropy());
  EXPECT_FALSE(stats.has_last_anti_entropy());
}

TEST(MiroirAntiEntropy, ClientDocumentsCannotCarryTheStamp) {
  LocalCluster cluster("ae-reserved", ClusterOptions{{2}, 2, 4});
  auto stub = cluster.stub();
  for (bool merge : {false, true}) {
    auto w = add(*stub, {R"({"id":"x","v":1})", R"({"id":"y","_miroir_updated_at":99999999999999})"}, merge);
    EXPECT_EQ(w.error_code(), "miroir_reserved_field") << merge;
    EXPECT_NE(w.error_message().find("_miroir_updated_at"), std::string::npos) << w.error_message();
    EXPECT_EQ(w.task_id(), "");
  }
  for (const char* n : {"n1", "n2"}) {
    EXPECT_FALSE(node_get(*cluster.node(n).stub(), "x")) << "a refused request writes nothing";
    EXPECT_FALSE(node_get(*cluster.node(n).stub(), "y"));
  }
  // add-or-update through the orchestrator restamps: the merged copy carries the newer stamp.
  expect_succeeded(*stub, add(*stub, {R"({"id":"x","v":1})"}));
  const auto first = (*node_get(*cluster.node("n1").stub(), "x"))["_miroir_updated_at"].get<int64_t>();
  std::this_thread::sleep_for(5ms);
  expect_succeeded(*stub, add(*stub, {R"({"id":"x","w":2})"}, /*merge=*/true));
  for (const char* n : {"n1", "n2"}) {
    auto held = *node_get(*cluster.node(n).stub(), "x");
    EXPECT_GT(held["_miroir_updated_at"].get<int64_t>(), first) << n;
    EXPECT_EQ(held["v"], 1);
    EXPECT_EQ(held["w"], 2);
  }
}

// --anti-entropy-interval-s 1: the schedule repairs without being asked.
TEST(MiroirAntiEntropy, ScheduledPassRepairsOnItsOwn) {
  LocalCluster cluster("ae-scheduled", ClusterOptions{{2}, 2, 4, {"--anti-entropy-interval-s", "1"}});
  auto stub = cluster.stub();
  expect_succeeded(*stub, add(*stub, dumps(corpus(10, 0))));
  node_delete(*cluster.node("n1").stub(), "doc-7");
  ASSERT_TRUE(eventually([&] { return node_get(*cluster.node("n1").stub(), "doc-7").has_value(); }, 10s));
  EXPECT_TRUE(differing_shards(cluster).empty());
  ASSERT_TRUE(eventually([&] { return cluster_stats(*stub).last_anti_entropy().finished_at_ms() > 0; }, 5s));
}

TEST(MiroirAntiEntropy, FlagsAreChecked) {
  TempDir dir("ae-flags");
  std::ofstream(dir / "c.json") << R"({"shards":4,"replication_factor":1,"index":"docs",)"
                                   R"("nodes":[{"name":"n1","address":"127.0.0.1:1","group":0}]})";
  int run = 0;
  auto start = [&](const std::vector<std::string>& extra) {
    const std::string log = dir / ("o" + std::to_string(++run) + ".log");
    std::vector<std::string> argv = {binary("miroir-orchestrator"), "--name", "o1", "--listen", "127.0.0.1:1",
                                     "--config", dir / "c.json", "--data", dir / "d"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Child c(argv, log);
    EXPECT_EQ(c.wait(), 2) << extra[0] << " " << extra[1];
    return read_file(log);
  };
  EXPECT_NE(start({"--anti-entropy", "maybe"}).find("--anti-entropy must be on or off"), std::string::npos);
  EXPECT_NE(start({"--anti-entropy-interval-s", "0"}).find("--anti-entropy-interval-s must be"), std::string::npos);
  EXPECT_NE(start({"--anti-entropy-interval-s", "6h"}).find("not \"6h\""), std::string::npos);
  // 0 is a valid throttle ("none"), the lower bound a negative value is told.
  EXPECT_NE(start({"--copy-pause-ms", "-1"}).find("--copy-pause-ms must be a whole number of milliseconds in 0..3600000"),
            std::string::npos);
  Child help({binary("miroir-orchestrator"), "--help"}, dir / "help.log");
  EXPECT_EQ(help.wait(), 0);
  const auto usage = read_file(dir / "help.log");
  for (const char* s : {"--anti-entropy on|off", "--anti-entropy-interval-s", "no-anti-entropy-repair"})
    EXPECT_NE(usage.find(s), std::string::npos) << s;
}
