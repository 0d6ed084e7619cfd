// miroir-node, as a real process on 127.0.0.1: the task queue for every
// write kind (add-or-replace, add-or-update, deletes), reads by shard with
// offset pagination, durability across kill -9, search, shard fingerprints,
// the fault hook, and the ack-before-durable positive control losing
// acknowledged writes.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "miroir/common/routing.hpp"
#include "miroir_test_util.hpp"

using miroir::test::NodeProcess;
using miroir::test::TempDir;
using namespace std::chrono_literals;

namespace {

std::string doc_json(const std::string& id, uint32_t shard, int v) {
  return nlohmann::json{{"id", id}, {"v", v}, {"_miroir_shard", shard}}.dump();
}

struct Enqueued {
  grpc::Status status;
  miroir::NodeEnqueueReply reply;
};

Enqueued add(miroir::Node::Stub& stub, const std::vector<std::pair<std::string, std::string>>& docs,
             const std::string& index = "docs", bool merge = false) {
  miroir::NodeWriteRequest req;
  req.set_index(index);
  req.set_merge(merge);
  for (const auto& [id, json] : docs) {
    auto* d = req.add_documents();
    d->set_id(id);
    d->set_json(json);
  }
  Enqueued e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  e.status = stub.AddDocuments(&ctx, req, &e.reply);
  return e;
}

Enqueued merge(miroir::Node::Stub& stub, const std::vector<std::pair<std::string, std::string>>& docs) {
  return add(stub, docs, "docs", true);
}

Enqueued del(miroir::Node::Stub& stub, const std::vector<std::string>& ids) {
  miroir::NodeDeleteRequest req;
  req.set_index("docs");
  for (const auto& id : ids) req.add_ids(id);
  Enqueued e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  e.status = stub.DeleteDocuments(&ctx, req, &e.reply);
  return e;
}

Enqueued del_shard(miroir::Node::Stub& stub, uint32_t shard) {
  miroir::NodeDeleteShardRequest req;
  req.set_index("docs");
  req.set_shard(shard);
  Enqueued e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  e.status = stub.DeleteShard(&ctx, req, &e.reply);
  return e;
}

miroir::NodeSearchReply search(miroir::Node::Stub& stub, const std::string& query,
                               const std::vector<uint32_t>& shards = {}, uint32_t limit = 0,
                               const std::vector<std::string>& facets = {}) {
  miroir::NodeSearchRequest req;
  req.set_index("docs");
  req.set_query(query);
  for (auto s : shards) req.add_shards(s);
  req.set_limit(limit);
  for (const auto& f : facets) req.add_facets(f);
  miroir::NodeSearchReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 10s);
  auto st = stub.Search(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

miroir::NodeFingerprintReply fingerprint(miroir::Node::Stub& stub, uint32_t shard, uint32_t buckets = 0,
                                         grpc::Status* status = nullptr) {
  miroir::NodeFingerprintRequest req;
  req.set_index("docs");
  req.set_shard(shard);
  req.set_buckets(buckets);
  miroir::NodeFingerprintReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 10s);
  auto st = stub.Fingerprint(&ctx, req, &reply);
  if (status)
    *status = st;
  else
    EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

grpc::Status set_fault(miroir::Node::Stub& stub, double p, const std::vector<uint32_t>& shards = {}) {
  miroir::NodeFaultRequest req;
  req.set_fail_writes_probability(p);
  for (auto s : shards) req.add_shards(s);
  miroir::Empty e;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  return stub.SetFault(&ctx, req, &e);
}

miroir::NodeTaskReply task(miroir::Node::Stub& stub, uint64_t uid, uint32_t wait_ms) {
  miroir::NodeTaskRequest req;
  req.set_task_uid(uid);
  req.set_wait_ms(wait_ms);
  miroir::NodeTaskReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, std::chrono::milliseconds(wait_ms) + 5s);
  auto st = stub.GetTask(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

std::optional<std::string> get(miroir::Node::Stub& stub, const std::string& id) {
  miroir::NodeGetRequest req;
  req.set_index("docs");
  req.set_id(id);
  miroir::NodeGetReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  auto st = stub.GetDocument(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  if (!reply.found()) return std::nullopt;
  return reply.json();
}

miroir::NodeListReply list(miroir::Node::Stub& stub, uint32_t shard, uint64_t offset, uint32_t limit) {
  miroir::NodeListRequest req;
  req.set_index("docs");
  req.set_shard(shard);
  req.set_offset(offset);
  req.set_limit(limit);
  miroir::NodeListReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  auto st = stub.ListDocuments(&ctx, req, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return reply;
}

miroir::NodeStatsReply stats(miroir::Node::Stub& stub) {
  miroir::Empty e;
  miroir::NodeStatsReply reply;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  EXPECT_TRUE(stub.Stats(&ctx, e, &reply).ok());
  return reply;
}

std::vector<std::string> ids(const miroir::NodeListReply& r) {
  std::vector<std::string> out;
  for (const auto& d : r.documents()) out.push_back(d.id());
  return out;
}

std::string id_of(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "a%02d", i);
  return b;
}

}  // namespace

TEST(MiroirNode, WriteTaskSucceedsThenGetAndListByShard) {
  TempDir dir("node-rw");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();

  // 25 documents in shard 3 (inserted in reverse, listed sorted), 5 in shard 4.
  std::vector<std::pair<std::string, std::string>> s3, s4;
  for (int i = 24; i >= 0; --i) s3.emplace_back(id_of(i), doc_json(id_of(i), 3, i));
  for (int i = 0; i < 5; ++i) s4.emplace_back("b" + std::to_string(i), doc_json("b" + std::to_string(i), 4, i));
  auto e1 = add(*stub, s3);
  auto e2 = add(*stub, s4);
  ASSERT_TRUE(e1.status.ok() && e2.status.ok());
  ASSERT_EQ(e1.reply.error_code(), "");
  EXPECT_GT(e2.reply.task_uid(), e1.reply.task_uid()) << "task uids increase";
  EXPECT_EQ(task(*stub, e1.reply.task_uid(), 5000).status(), "succeeded");
  EXPECT_EQ(task(*stub, e2.reply.task_uid(), 5000).status(), "succeeded");

  auto a07 = get(*stub, "a07");
  ASSERT_TRUE(a07.has_value());
  EXPECT_EQ(nlohmann::json::parse(*a07), nlohmann::json::parse(doc_json("a07", 3, 7)));
  EXPECT_FALSE(get(*stub, "nope").has_value());

  // Offset pagination over shard 3, sorted by id.
  auto p0 = list(*stub, 3, 0, 10), p1 = list(*stub, 3, 10, 10), p2 = list(*stub, 3, 20, 10),
       p3 = list(*stub, 3, 25, 10);
  EXPECT_EQ(p0.total(), 25u);
  std::vector<std::string> want0, want1, want2;
  for (int i = 0; i < 10; ++i) want0.push_back(id_of(i));
  for (int i = 10; i < 20; ++i) want1.push_back(id_of(i));
  for (int i = 20; i < 25; ++i) want2.push_back(id_of(i));
  EXPECT_EQ(ids(p0), want0);
  EXPECT_EQ(ids(p1), want1);
  EXPECT_EQ(ids(p2), want2);
  EXPECT_TRUE(ids(p3).empty());
  EXPECT_EQ(list(*stub, 4, 0, 100).documents_size(), 5);
  EXPECT_EQ(list(*stub, 5, 0, 100).total(), 0u);

  // Replacing a document into another shard moves it between the listings.
  auto e3 = add(*stub, {{"a00", doc_json("a00", 4, 100)}});
  EXPECT_EQ(task(*stub, e3.reply.task_uid(), 5000).status(), "succeeded");
  EXPECT_EQ(list(*stub, 3, 0, 100).total(), 24u);
  EXPECT_EQ(list(*stub, 4, 0, 100).documents_size(), 6);
  EXPECT_EQ(nlohmann::json::parse(*get(*stub, "a00"))["v"], 100);

  // A document without `_miroir_shard` fails its whole task; nothing applied.
  auto bad = add(*stub, {{"c1", doc_json("c1", 1, 1)}, {"c2", R"({"id":"c2"})"}});
  ASSERT_EQ(bad.reply.error_code(), "");
  auto bad_task = task(*stub, bad.reply.task_uid(), 5000);
  EXPECT_EQ(bad_task.status(), "failed");
  EXPECT_NE(bad_task.error().find("_miroir_shard"), std::string::npos) << bad_task.error();
  EXPECT_FALSE(get(*stub, "c1").has_value());

  // Unknown uid; an index the node refuses to enqueue.
  EXPECT_EQ(task(*stub, 999999, 0).status(), "unknown");
  EXPECT_EQ(add(*stub, {{"x", doc_json("x", 0, 0)}}, "").reply.error_code(), "invalid_index_uid");

  auto st = stats(*stub);
  EXPECT_EQ(st.documents(), 30u);
  EXPECT_EQ(st.pending_tasks(), 0u);
  EXPECT_EQ(st.last_task_uid(), bad.reply.task_uid());

  // A long poll on a finished task returns at once; SIGTERM stops cleanly.
  auto t0 = std::chrono::steady_clock::now();
  task(*stub, e1.reply.task_uid(), 10000);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(node.stop(), 0);
}

TEST(MiroirNode, EnqueuedTasksSurviveKill9) {
  TempDir dir("node-kill");
  NodeProcess node("n1", dir);
  node.start();

  // A burst from 4 threads; every acknowledged enqueue is remembered.
  std::mutex mu;
  std::map<uint64_t, std::vector<std::string>> acked;  // uid -> ids
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto stub = node.stub();
      for (int i = 0; i < 60; ++i) {
        std::vector<std::pair<std::string, std::string>> docs;
        std::vector<std::string> these;
        for (int k = 0; k < 5; ++k) {
          std::string id = "t" + std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(k);
          docs.emplace_back(id, doc_json(id, (t * 7 + k) % 16, i));
          these.push_back(id);
        }
        auto e = add(*stub, docs);
        if (e.status.ok() && e.reply.error_code().empty()) {
          std::lock_guard lock(mu);
          acked[e.reply.task_uid()] = these;
        }
      }
    });
  for (auto& th : threads) th.join();
  node.kill9();  // right after the last acknowledgement
  ASSERT_EQ(acked.size(), 240u);

  node.start();  // same data directory
  auto stub = node.stub();
  for (const auto& [uid, ids] : acked) {
    auto t = task(*stub, uid, 10000);
    ASSERT_EQ(t.status(), "succeeded") << "task " << uid << " " << t.error();
  }
  size_t present = 0;
  for (const auto& [uid, ids] : acked)
    for (const auto& id : ids) present += get(*stub, id).has_value();
  EXPECT_EQ(present, 240u * 5);
  auto st = stats(*stub);
  EXPECT_EQ(st.pending_tasks(), 0u);
  EXPECT_EQ(st.documents(), 240u * 5);
  EXPECT_EQ(st.last_task_uid(), acked.rbegin()->first);
}

// Positive control: with --bug ack-before-durable, tasks report succeeded
// before anything reaches the disk, so a kill -9 loses acknowledged writes.
TEST(MiroirNode, AckBeforeDurableLosesAcknowledgedWritesOnKill9) {
  TempDir dir("node-bug");
  NodeProcess node("n1", dir);
  node.start({"--bug", "ack-before-durable"});
  std::vector<std::string> succeeded;
  {
    auto stub = node.stub();
    for (int i = 0; i < 50; ++i) {
      std::string id = "k" + std::to_string(i);
      auto e = add(*stub, {{id, doc_json(id, 0, i)}});
      ASSERT_TRUE(e.status.ok());
      if (task(*stub, e.reply.task_uid(), 5000).status() == "succeeded") succeeded.push_back(id);
    }
  }
  ASSERT_EQ(succeeded.size(), 50u) << "the bug mode still acknowledges every write";
  node.kill9();

  node.start();  // the normal node reads what reached the disk
  auto stub = node.stub();
  size_t lost = 0;
  for (const auto& id : succeeded) lost += !get(*stub, id).has_value();
  EXPECT_GT(lost, 0u) << "ack-before-durable must lose acknowledged writes on kill -9";
  std::cerr << "ack-before-durable lost " << lost << " of " << succeeded.size() << " acknowledged writes\n";
}

TEST(MiroirNode, AckBeforeDurableFlushesOnGracefulStop) {
  TempDir dir("node-bug-term");
  NodeProcess node("n1", dir);
  node.start({"--bug", "ack-before-durable"});
  {
    auto stub = node.stub();
    auto e = add(*stub, {{"k", doc_json("k", 0, 1)}});
    ASSERT_EQ(task(*stub, e.reply.task_uid(), 5000).status(), "succeeded");
  }
  EXPECT_EQ(node.stop(), 0);
  node.start();
  auto stub = node.stub();
  EXPECT_TRUE(get(*stub, "k").has_value());
}

TEST(MiroirNode, BadFlagsExit2) {
  TempDir dir("node-flags");
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), miroir::test::binary("miroir-node"));
    miroir::test::Child c(argv, dir / "flags.log");
    return c.wait();
  };
  EXPECT_EQ(run({"--name", "n1", "--listen", "127.0.0.1:1", "--data", dir / "d", "--bug", "no-such-bug"}), 2);
  EXPECT_NE(miroir::test::read_file(dir / "flags.log").find("unknown --bug \"no-such-bug\""), std::string::npos);
  EXPECT_EQ(run({"--name", "n1", "--listen", "127.0.0.1:1"}), 2);
  EXPECT_EQ(run({"--bogus"}), 2);
  EXPECT_EQ(run({"--help"}), 0);
}

namespace {

std::string js(const nlohmann::json& j) { return j.dump(); }

void expect_succeeded(miroir::Node::Stub& stub, const Enqueued& e) {
  ASSERT_TRUE(e.status.ok()) << e.status.error_message();
  ASSERT_EQ(e.reply.error_code(), "") << e.reply.error_message();
  auto t = task(stub, e.reply.task_uid(), 10000);
  EXPECT_EQ(t.status(), "succeeded") << t.error();
}

std::vector<std::string> hit_ids(const miroir::NodeSearchReply& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hits()) out.push_back(h.id());
  return out;
}

std::map<std::string, uint64_t> facet(const miroir::NodeSearchReply& r, const std::string& field) {
  auto it = r.facet_distribution().find(field);
  if (it == r.facet_distribution().end()) return {};
  return {it->second.counts().begin(), it->second.counts().end()};
}

}  // namespace

TEST(MiroirNode, AddOrUpdateMergesTopLevelFieldsAndInsertsAbsentDocuments) {
  TempDir dir("node-merge");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();
  expect_succeeded(*stub, add(*stub, {{"a", js({{"id", "a"}, {"title", "old"}, {"tags", {"x"}},
                                                {"nested", {{"k", 1}, {"j", 2}}}, {"_miroir_shard", 2}})}}));
  auto u1 = merge(*stub, {{"a", js({{"id", "a"}, {"title", "new"}, {"nested", {{"k", 9}}}, {"extra", true},
                                    {"_miroir_shard", 2}})}});
  auto u2 = merge(*stub, {{"b", js({{"id", "b"}, {"v", 1}, {"_miroir_shard", 2}})}});
  expect_succeeded(*stub, u1);
  expect_succeeded(*stub, u2);
  // Top-level merge: title replaced, tags kept, nested replaced as a whole, extra added.
  EXPECT_EQ(nlohmann::json::parse(*get(*stub, "a")),
            (nlohmann::json{{"id", "a"}, {"title", "new"}, {"tags", {"x"}}, {"nested", {{"k", 9}}},
                            {"extra", true}, {"_miroir_shard", 2}}));
  EXPECT_EQ(nlohmann::json::parse(*get(*stub, "b")), (nlohmann::json{{"id", "b"}, {"v", 1}, {"_miroir_shard", 2}}))
      << "add-or-update of an absent document inserts it";
  EXPECT_EQ(list(*stub, 2, 0, 10).total(), 2u);

  // Add-or-replace, by contrast, drops the fields it does not carry.
  expect_succeeded(*stub, add(*stub, {{"a", js({{"id", "a"}, {"v", 3}, {"_miroir_shard", 2}})}}));
  EXPECT_EQ(nlohmann::json::parse(*get(*stub, "a")), (nlohmann::json{{"id", "a"}, {"v", 3}, {"_miroir_shard", 2}}));

  // An update without `_miroir_shard` fails its task and changes nothing.
  auto bad = merge(*stub, {{"a", js({{"id", "a"}, {"v", 4}})}});
  ASSERT_EQ(bad.reply.error_code(), "");
  EXPECT_EQ(task(*stub, bad.reply.task_uid(), 5000).status(), "failed");
  EXPECT_EQ(nlohmann::json::parse(*get(*stub, "a"))["v"], 3);
}

TEST(MiroirNode, DeleteByIdsAndDeleteShardAreTasks) {
  TempDir dir("node-delete");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 10; ++i) docs.emplace_back(id_of(i), doc_json(id_of(i), 1, i));
  for (int i = 0; i < 5; ++i) docs.emplace_back("b" + std::to_string(i), doc_json("b" + std::to_string(i), 2, i));
  auto w = add(*stub, docs);
  expect_succeeded(*stub, w);

  auto d = del(*stub, {id_of(3), id_of(5), "absent"});
  expect_succeeded(*stub, d);
  EXPECT_GT(d.reply.task_uid(), w.reply.task_uid()) << "one uid sequence for every write kind";
  EXPECT_FALSE(get(*stub, id_of(3)).has_value());
  EXPECT_TRUE(get(*stub, id_of(4)).has_value());
  // Offset pagination is over the live set: the deleted ids leave no holes.
  EXPECT_EQ(list(*stub, 1, 0, 100).total(), 8u);
  EXPECT_EQ(ids(list(*stub, 1, 3, 3)), (std::vector<std::string>{id_of(4), id_of(6), id_of(7)}));

  auto ds = del_shard(*stub, 2);
  expect_succeeded(*stub, ds);
  EXPECT_EQ(list(*stub, 2, 0, 100).total(), 0u);
  EXPECT_FALSE(get(*stub, "b0").has_value());
  EXPECT_EQ(list(*stub, 1, 0, 100).total(), 8u) << "other shards untouched";
  expect_succeeded(*stub, del_shard(*stub, 9));  // an empty shard: nothing to do, still succeeds
  EXPECT_EQ(stats(*stub).documents(), 8u);

  // Refused before enqueueing: an index no write can use.
  miroir::NodeDeleteRequest r;
  r.add_ids("x");
  miroir::NodeEnqueueReply rep;
  grpc::ClientContext ctx;
  miroir::set_deadline(ctx, 5s);
  ASSERT_TRUE(stub->DeleteDocuments(&ctx, r, &rep).ok());
  EXPECT_EQ(rep.error_code(), "invalid_index_uid");
}

TEST(MiroirNode, QueuedUpdatesAndDeletesSurviveKill9) {
  TempDir dir("node-kill-kinds");
  NodeProcess node("n1", dir);
  node.start();
  constexpr int kDocs = 20000, kUpdated = 10000;
  auto key = [](int i) {
    char b[16];
    std::snprintf(b, sizeof b, "k%05d", i);
    return std::string(b);
  };
  std::mutex mu;
  std::vector<uint64_t> uids;
  uint64_t pending_at_kill = 0;
  {
    auto stub = node.stub();
    // A large first write keeps the worker busy while the rest queues behind it.
    std::vector<std::pair<std::string, std::string>> docs;
    for (int i = 0; i < kDocs; ++i) docs.emplace_back(key(i), doc_json(key(i), i % 8, 0));
    auto first = add(*stub, docs);
    ASSERT_TRUE(first.status.ok() && first.reply.error_code().empty());
    uids.push_back(first.reply.task_uid());
    // Then updates, deletes by id, a shard deletion and inserts-by-update from
    // 8 threads. They commute (no two touch the same document), so the final
    // state does not depend on how their uids interleave; each comes after the
    // first write, which they all depend on.
    std::vector<std::function<Enqueued(miroir::Node::Stub&)>> ops;
    for (int i = 0; i < 400; ++i)
      if (i % 8 != 7)
        ops.push_back([=](miroir::Node::Stub& s) {
          return merge(s, {{key(i), js({{"id", key(i)}, {"m", i}, {"_miroir_shard", i % 8}})}});
        });
    for (int i = 1000; i < 1400; i += 10)
      ops.push_back([=](miroir::Node::Stub& s) {
        std::vector<std::string> batch;
        for (int k = i; k < i + 10; ++k) batch.push_back(key(k));
        return del(s, batch);
      });
    for (int i = 0; i < 50; ++i)
      ops.push_back([=](miroir::Node::Stub& s) {
        return merge(s, {{"fresh" + std::to_string(i), js({{"f", i}, {"_miroir_shard", 3}})}});
      });
    std::atomic<size_t> next{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        auto s = node.stub();
        for (size_t k; (k = next++) < ops.size();) {
          auto e = ops[k](*s);
          if (!e.status.ok() || !e.reply.error_code().empty()) {
            ++refused;
            continue;
          }
          std::lock_guard lock(mu);
          uids.push_back(e.reply.task_uid());
        }
      });
    for (auto& th : threads) th.join();
    ASSERT_EQ(refused.load(), 0);
    // Last, a heavy update (parsing and merging thousands of documents costs
    // the worker far more than storing the task costs the enqueue) and a
    // shard deletion behind it: the node dies with them queued.
    std::vector<std::pair<std::string, std::string>> heavy;
    for (int k = 400; k < kUpdated; ++k)
      if (k % 8 != 7 && (k < 1000 || k >= 1400))
        heavy.emplace_back(key(k), js({{"id", key(k)}, {"m", k}, {"_miroir_shard", k % 8}}));
    for (const auto& e : {merge(*stub, heavy), del_shard(*stub, 7)}) {
      ASSERT_TRUE(e.status.ok() && e.reply.error_code().empty());
      uids.push_back(e.reply.task_uid());
    }
    pending_at_kill = stats(*stub).pending_tasks();
  }
  node.kill9();  // right after the last acknowledgement
  std::cerr << "tasks still queued at kill -9: " << pending_at_kill << " of " << uids.size() << "\n";
  EXPECT_GT(pending_at_kill, 0u) << "the test should kill a node with a backlog";

  node.start();
  auto stub = node.stub();
  for (uint64_t uid : uids) {
    auto t = task(*stub, uid, 30000);
    ASSERT_EQ(t.status(), "succeeded") << "task " << uid << " " << t.error();
  }
  std::map<std::string, nlohmann::json> live;
  for (uint32_t shard = 0; shard < 8; ++shard) {
    auto page = list(*stub, shard, 0, 10000);
    for (const auto& d : page.documents()) live[d.id()] = nlohmann::json::parse(d.json());
  }
  size_t expected = 50;
  for (int i = 0; i < kDocs; ++i) {
    bool deleted = (i >= 1000 && i < 1400) || i % 8 == 7;
    auto it = live.find(key(i));
    ASSERT_EQ(it != live.end(), !deleted) << key(i);
    if (deleted) continue;
    ++expected;
    EXPECT_EQ(it->second["v"], 0) << it->second;
    if (i < kUpdated) {
      EXPECT_EQ(it->second["m"], i) << it->second;
    }
  }
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(live.count("fresh" + std::to_string(i)));
  EXPECT_EQ(live.size(), expected);
  EXPECT_EQ(stats(*stub).documents(), expected);
}

TEST(MiroirNode, SearchRanksByScoreThenIdWithFacetsOverAllMatches) {
  TempDir dir("node-search");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();
  auto doc = [](nlohmann::json j, uint32_t shard) {
    j["_miroir_shard"] = shard;
    return std::pair<std::string, std::string>{j["id"].get<std::string>(), j.dump()};
  };
  expect_succeeded(*stub, add(*stub, {
      doc({{"id", "d1"}, {"title", "Red apple pie"}, {"color", "red"}, {"tags", {"fruit", "sweet"}}, {"n", 1}}, 0),
      doc({{"id", "d2"}, {"title", "green apple"}, {"color", "green"}, {"tags", {"fruit"}}, {"n", 2}}, 1),
      doc({{"id", "d3"}, {"title", "red car"}, {"color", "red"}, {"tags", {"vehicle"}}, {"n", 1}}, 1),
      doc({{"id", "d4"}, {"body", "APPLE-PIE, recipe"}, {"color", "red"}, {"tags", {"sweet", "sweet"}}}, 2),
      doc({{"id", "d5"}, {"title", "nothing here"}, {"color", nullptr}, {"n", 1.5}}, 2),
      doc({{"id", "d6"}, {"title", "banana"}, {"_miroir_note", "apple pie"}}, 3),
      doc({{"id", "d7"}, {"apple", "no"}, {"nested", {{"deep", "Apple"}}}}, 0),
      doc({{"id", "d8"}, {"title", "Café crème"}}, 3),
  }));

  // Two query tokens: a document with both scores 1, with one 0.5. Keys and
  // `_miroir_*` fields are not searched; nested string values are.
  auto r = search(*stub, "apple pie", {}, 0, {"color", "tags", "n"});
  EXPECT_EQ(hit_ids(r), (std::vector<std::string>{"d1", "d4", "d2", "d7"}));
  ASSERT_EQ(r.hits_size(), 4);
  EXPECT_EQ(r.hits(0).ranking_score(), 1.0);
  EXPECT_EQ(r.hits(1).ranking_score(), 1.0);
  EXPECT_EQ(r.hits(2).ranking_score(), 0.5);
  EXPECT_EQ(r.hits(3).ranking_score(), 0.5);
  EXPECT_EQ(r.hits(1).shard(), 2u);
  EXPECT_EQ(nlohmann::json::parse(r.hits(1).json())["_miroir_shard"], 2) << "the node returns documents as stored";
  EXPECT_EQ(r.estimated_total_hits(), 4u);
  EXPECT_EQ(facet(r, "color"), (std::map<std::string, uint64_t>{{"red", 2}, {"green", 1}}));
  EXPECT_EQ(facet(r, "tags"), (std::map<std::string, uint64_t>{{"fruit", 2}, {"sweet", 2}}))
      << "an array value counts once per document";
  EXPECT_EQ(facet(r, "n"), (std::map<std::string, uint64_t>{{"1", 1}, {"2", 1}}));

  // limit cuts the hits, not the count nor the facets.
  auto top = search(*stub, "apple pie", {}, 2, {"color"});
  EXPECT_EQ(hit_ids(top), (std::vector<std::string>{"d1", "d4"}));
  EXPECT_EQ(top.estimated_total_hits(), 4u);
  EXPECT_EQ(facet(top, "color"), (std::map<std::string, uint64_t>{{"red", 2}, {"green", 1}}));

  // Shard filter.
  auto some = search(*stub, "apple pie", {1, 2});
  EXPECT_EQ(hit_ids(some), (std::vector<std::string>{"d4", "d2"}));
  EXPECT_EQ(some.estimated_total_hits(), 2u);
  EXPECT_EQ(search(*stub, "apple", {9}).estimated_total_hits(), 0u);

  // No query token: everything, score 1, by id; repeated tokens count once.
  for (const std::string q : {"", "  !! -"}) {
    auto all = search(*stub, q);
    EXPECT_EQ(hit_ids(all), (std::vector<std::string>{"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"})) << q;
    EXPECT_EQ(all.hits(0).ranking_score(), 1.0);
  }
  auto rep = search(*stub, "APPLE apple");
  EXPECT_EQ(hit_ids(rep), (std::vector<std::string>{"d1", "d2", "d4", "d7"}));
  EXPECT_EQ(rep.hits(3).ranking_score(), 1.0);
  // Floats facet as their JSON text; non-ASCII letters are token bytes, only ASCII folds.
  EXPECT_EQ(facet(search(*stub, "nothing", {}, 0, {"n"}), "n"), (std::map<std::string, uint64_t>{{"1.5", 1}}));
  EXPECT_EQ(hit_ids(search(*stub, "CAFé")), std::vector<std::string>{"d8"});
  EXPECT_EQ(hit_ids(search(*stub, "CAFE")), std::vector<std::string>{});

  // Deleted documents no longer match.
  expect_succeeded(*stub, del(*stub, {"d1"}));
  EXPECT_EQ(hit_ids(search(*stub, "pie")), std::vector<std::string>{"d4"});
}

TEST(MiroirNode, FingerprintsAgreeWhateverTheWriteOrderAndDifferAfterAChange) {
  TempDir dir("node-fp");
  NodeProcess n1("n1", dir), n2("n2", dir);
  n1.spawn();
  n2.spawn();
  n1.wait_ready();
  n2.wait_ready();
  auto s1 = n1.stub(), s2 = n2.stub();

  std::vector<nlohmann::json> docs;
  for (int i = 0; i < 40; ++i)
    docs.push_back({{"id", "f" + std::to_string(i)}, {"n", i}, {"t", "x" + std::to_string(i % 3)},
                    {"_miroir_shard", i % 4}});
  // n1: one write, ascending. n2: one write per document, descending, keys in
  // another order and spaced differently, plus a document added then deleted.
  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& d : docs) all.emplace_back(d["id"], d.dump());
  expect_succeeded(*s1, add(*s1, all));
  expect_succeeded(*s2, add(*s2, {{"gone", js({{"id", "gone"}, {"_miroir_shard", 1}})}}));
  for (auto it = docs.rbegin(); it != docs.rend(); ++it) {
    nlohmann::ordered_json o;
    o["_miroir_shard"] = (*it)["_miroir_shard"];
    o["t"] = (*it)["t"];
    o["n"] = (*it)["n"];
    o["id"] = (*it)["id"];
    expect_succeeded(*s2, add(*s2, {{(*it)["id"], o.dump(2)}}));
  }
  expect_succeeded(*s2, del(*s2, {"gone"}));

  for (uint32_t shard = 0; shard < 5; ++shard) {
    auto a = fingerprint(*s1, shard), b = fingerprint(*s2, shard);
    EXPECT_EQ(a.digest(), b.digest()) << "shard " << shard;
    EXPECT_EQ(a.documents(), shard < 4 ? 10u : 0u);
    EXPECT_EQ(b.documents(), a.documents());
  }
  // The digest is the one the proto specifies: XXH64 over id ‖ 0 ‖ canonical JSON ‖ 0, by id.
  std::map<std::string, std::string> shard0;
  for (const auto& d : docs)
    if (d["_miroir_shard"] == 0) shard0[d["id"]] = d.dump();
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  for (const auto& [id, json] : shard0) {
    std::string part = id + std::string(1, '\0') + json + std::string(1, '\0');
    XXH64_update(st, part.data(), part.size());
  }
  EXPECT_EQ(fingerprint(*s1, 0).digest(), XXH64_digest(st));
  XXH64_freeState(st);
  EXPECT_EQ(fingerprint(*s1, 4).digest(), XXH64(nullptr, 0, 0)) << "an empty shard";

  // One changed field on one copy: that shard differs, the others still agree.
  expect_succeeded(*s2, merge(*s2, {{"f5", js({{"n", 500}, {"_miroir_shard", 1}})}}));
  EXPECT_NE(fingerprint(*s1, 1).digest(), fingerprint(*s2, 1).digest());
  EXPECT_EQ(fingerprint(*s1, 1).documents(), fingerprint(*s2, 1).documents());
  for (uint32_t shard : {0u, 2u, 3u}) EXPECT_EQ(fingerprint(*s1, shard).digest(), fingerprint(*s2, shard).digest());
}

// Bucket digests: bucket b folds exactly like the whole digest, over only the
// documents whose key_hash(id) mod B is b; the whole digest is unchanged.
TEST(MiroirNode, FingerprintBucketsFoldTheirKeysLikeTheWholeDigest) {
  TempDir dir("node-fp-buckets");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();
  std::vector<std::pair<std::string, std::string>> all;
  std::map<std::string, std::string> shard2;  // id -> canonical JSON, by id
  for (int i = 0; i < 60; ++i) {
    const std::string id = "b" + std::to_string(i);
    nlohmann::ordered_json o;  // stored in a non-canonical key order
    o["z"] = i;
    o["id"] = id;
    o["_miroir_shard"] = i % 3;
    o["_miroir_updated_at"] = 1700000000000LL + i;
    all.emplace_back(id, o.dump(1));
    if (i % 3 == 2) shard2[id] = nlohmann::json::parse(o.dump()).dump();
  }
  expect_succeeded(*stub, add(*stub, all));

  const uint32_t kBuckets = 8;
  auto plain = fingerprint(*stub, 2);
  auto b = fingerprint(*stub, 2, kBuckets);
  EXPECT_EQ(b.digest(), plain.digest()) << "asking for buckets leaves the whole digest as it was";
  EXPECT_EQ(b.documents(), 20u);
  EXPECT_EQ(plain.bucket_digests_size(), 0) << "no buckets unless asked";
  ASSERT_EQ(b.bucket_digests_size(), static_cast<int>(kBuckets));
  ASSERT_EQ(b.bucket_documents_size(), static_cast<int>(kBuckets));

  std::vector<XXH64_state_t*> states(kBuckets);
  std::vector<uint64_t> counts(kBuckets, 0);
  for (auto& st : states) XXH64_reset(st = XXH64_createState(), 0);
  for (const auto& [id, canonical] : shard2) {
    const uint64_t bucket = miroir::key_hash(id) % kBuckets;
    std::string part = id + std::string(1, '\0') + canonical + std::string(1, '\0');
    XXH64_update(states[bucket], part.data(), part.size());
    ++counts[bucket];
  }
  uint64_t sum = 0;
  int non_empty = 0;
  for (uint32_t i = 0; i < kBuckets; ++i) {
    EXPECT_EQ(b.bucket_digests(i), XXH64_digest(states[i])) << "bucket " << i;
    EXPECT_EQ(b.bucket_documents(i), counts[i]) << "bucket " << i;
    if (counts[i] == 0) {
      EXPECT_EQ(b.bucket_digests(i), XXH64(nullptr, 0, 0));
    }
    sum += b.bucket_documents(i);
    non_empty += counts[i] > 0;
    XXH64_freeState(states[i]);
  }
  EXPECT_EQ(sum, b.documents());
  EXPECT_GT(non_empty, 1) << "20 keys spread over several buckets";

  // One changed document changes its bucket only.
  const std::string changed = shard2.begin()->first;
  const uint64_t changed_bucket = miroir::key_hash(changed) % kBuckets;
  expect_succeeded(*stub, merge(*stub, {{changed, js({{"z", -1}, {"_miroir_shard", 2}})}}));
  auto after = fingerprint(*stub, 2, kBuckets);
  EXPECT_NE(after.digest(), b.digest());
  for (uint32_t i = 0; i < kBuckets; ++i)
    EXPECT_EQ(after.bucket_digests(i) != b.bucket_digests(i), i == changed_bucket) << "bucket " << i;

  // An empty shard: every bucket is the digest of nothing.
  auto empty = fingerprint(*stub, 9, 4);
  ASSERT_EQ(empty.bucket_digests_size(), 4);
  for (auto d : empty.bucket_digests()) EXPECT_EQ(d, XXH64(nullptr, 0, 0));

  // Too many buckets is the caller's mistake.
  grpc::Status st;
  fingerprint(*stub, 2, 65537, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_EQ(fingerprint(*stub, 2, 65536).bucket_digests_size(), 65536);
}

TEST(MiroirNode, FaultHookRefusesWritesWithItsProbabilityAndShardFilter) {
  TempDir dir("node-fault");
  NodeProcess node("n1", dir);
  node.start();
  auto stub = node.stub();
  expect_succeeded(*stub, add(*stub, {{"s1", doc_json("s1", 1, 0)}, {"s2", doc_json("s2", 2, 0)}}));
  const uint64_t last = stats(*stub).last_task_uid();
  auto refused = [](const Enqueued& e) {
    return e.status.ok() && e.reply.error_code() == "miroir_injected_fault" && e.reply.task_uid() == 0;
  };

  // Probability 1, no filter: every write kind is refused, as an application error.
  ASSERT_TRUE(set_fault(*stub, 1.0).ok());
  EXPECT_TRUE(refused(add(*stub, {{"x", doc_json("x", 0, 0)}})));
  EXPECT_TRUE(refused(merge(*stub, {{"s1", doc_json("s1", 1, 9)}})));
  EXPECT_TRUE(refused(del(*stub, {"s1"})));
  EXPECT_TRUE(refused(del_shard(*stub, 1)));
  EXPECT_EQ(stats(*stub).last_task_uid(), last) << "a refused write is not a task";
  EXPECT_TRUE(get(*stub, "s1").has_value()) << "reads are not affected";
  EXPECT_EQ(search(*stub, "").estimated_total_hits(), 2u);

  // Probability 0 clears it.
  ASSERT_TRUE(set_fault(*stub, 0).ok());
  expect_succeeded(*stub, add(*stub, {{"x", doc_json("x", 0, 0)}}));

  // Only writes touching a listed shard; any listed shard refuses the whole write.
  ASSERT_TRUE(set_fault(*stub, 1.0, {2}).ok());
  EXPECT_FALSE(refused(add(*stub, {{"y", doc_json("y", 1, 0)}})));
  EXPECT_TRUE(refused(add(*stub, {{"z", doc_json("z", 2, 0)}})));
  EXPECT_TRUE(refused(add(*stub, {{"y", doc_json("y", 1, 1)}, {"z", doc_json("z", 2, 0)}})));
  EXPECT_TRUE(refused(merge(*stub, {{"s2", doc_json("s2", 2, 5)}})));
  EXPECT_TRUE(refused(del(*stub, {"s1", "s2"})));   // s2 is stored in shard 2
  expect_succeeded(*stub, del(*stub, {"s1", "absent"}));
  EXPECT_TRUE(refused(del_shard(*stub, 2)));
  expect_succeeded(*stub, del_shard(*stub, 0));

  // A probability in between refuses some and accepts some (p = 0.5 over
  // 200 writes: all or none would happen with probability 2^-199).
  ASSERT_TRUE(set_fault(*stub, 0.5).ok());
  int no = 0;
  for (int i = 0; i < 200; ++i) no += refused(add(*stub, {{"p", doc_json("p", 0, i)}}));
  EXPECT_GT(no, 0);
  EXPECT_LT(no, 200);

  EXPECT_EQ(set_fault(*stub, 1.5).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // In memory only: a restart clears it.
  ASSERT_TRUE(set_fault(*stub, 1.0).ok());
  node.kill9();
  node.start();
  stub = node.stub();
  expect_succeeded(*stub, add(*stub, {{"after", doc_json("after", 0, 0)}}));
}
