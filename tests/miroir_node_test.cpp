// miroir-node, as a real process on 127.0.0.1: the task queue, reads by
// shard with offset pagination, durability across kill -9, and the
// ack-before-durable positive control losing acknowledged writes.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

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
             const std::string& index = "docs") {
  miroir::NodeWriteRequest req;
  req.set_index(index);
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
