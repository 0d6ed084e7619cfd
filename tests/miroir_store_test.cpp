// The node's stores in-process: the LMDB store and the in-memory store must
// behave identically (the bug-mode store is built on the latter, and offset
// pagination must page alike), the LMDB store must reopen with everything it
// committed, and group commit must give every caller its own result.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "miroir/common/group_commit.hpp"
#include "miroir/node/lmdb_store.hpp"
#include "miroir/node/memory_store.hpp"
#include "miroir/node/write_behind_store.hpp"
#include "miroir_test_util.hpp"

using miroir::node::LmdbStore;
using miroir::node::MemoryStore;
using miroir::node::Store;
using miroir::node::TaskStatus;

namespace {

// An add-or-replace task (merge=true: add-or-update).
miroir::NodeTask request(const std::vector<std::tuple<std::string, uint32_t, int>>& docs,
                         bool merge = false) {
  miroir::NodeTask t;
  auto& r = *t.mutable_write();
  r.set_index("docs");
  r.set_merge(merge);
  for (const auto& [id, shard, v] : docs) {
    auto* d = r.add_documents();
    d->set_id(id);
    d->set_json(nlohmann::json{{"id", id}, {"v", v}, {"_miroir_shard", shard}}.dump());
  }
  return t;
}

miroir::NodeTask update(const std::string& id, uint32_t shard, const nlohmann::json& fields) {
  miroir::NodeTask t;
  auto& r = *t.mutable_write();
  r.set_index("docs");
  r.set_merge(true);
  auto* d = r.add_documents();
  d->set_id(id);
  nlohmann::json j = fields;
  j["_miroir_shard"] = shard;
  d->set_json(j.dump());
  return t;
}

miroir::NodeTask delete_ids(const std::vector<std::string>& ids) {
  miroir::NodeTask t;
  t.mutable_delete_documents()->set_index("docs");
  for (const auto& id : ids) t.mutable_delete_documents()->add_ids(id);
  return t;
}

miroir::NodeTask delete_shard(uint32_t shard) {
  miroir::NodeTask t;
  t.mutable_delete_shard()->set_index("docs");
  t.mutable_delete_shard()->set_shard(shard);
  return t;
}

// A fixed script of writes, applied through the worker's two calls.
void run_script(Store& s) {
  s.enqueue(request({{"b", 1, 1}, {"a", 1, 1}, {"c", 2, 1}}));
  s.enqueue(request({{"a", 2, 2}}));  // moves a from shard 1 to 2
  auto bad = request({{"z", 1, 1}});
  bad.mutable_write()->mutable_documents(0)->set_json(R"({"id":"z"})");  // no _miroir_shard: task fails
  s.enqueue(bad);
  s.enqueue(request({{"d", 1, 1}, {"e", 1, 1}, {"f", 1, 1}}));
  // Apply in two batches, like the worker would.
  s.apply(s.pending(2, 1000));
  s.apply(s.pending(100, 1000));
}

// Every task kind, in one batch with interleaved reads of what earlier tasks
// of the same batch wrote (merge over an insert of the same batch).
void run_kinds_script(Store& s) {
  s.enqueue(request({{"a", 1, 1}, {"b", 1, 1}, {"c", 2, 1}, {"d", 3, 1}, {"e", 3, 1}}));
  s.enqueue(update("a", 1, {{"w", "x"}}));            // a gains w, keeps v
  s.enqueue(update("new", 2, {{"w", "y"}}));          // absent: inserted
  s.enqueue(update("b", 1, {{"v", 7}}));              // b.v replaced
  s.enqueue(delete_ids({"c", "nope"}));               // absent id: no-op
  s.enqueue(delete_shard(3));                         // d and e
  auto bad = delete_ids({std::string(500, 'x')});     // over-long id: the task fails
  s.enqueue(bad);
  s.apply(s.pending(100, 1000));
}

std::vector<std::string> page_ids(Store& s, uint32_t shard, uint64_t offset, uint32_t limit) {
  std::vector<std::string> out;
  for (auto& [id, json] : s.list("docs", shard, offset, limit).documents) out.push_back(id);
  return out;
}

}  // namespace

TEST(MiroirStore, LmdbAndMemoryStoresAgree) {
  miroir::test::TempDir dir("store");
  LmdbStore lmdb(dir / "lmdb");
  MemoryStore mem;
  run_script(lmdb);
  run_script(mem);
  for (Store* s : {static_cast<Store*>(&lmdb), static_cast<Store*>(&mem)}) {
    EXPECT_EQ(page_ids(*s, 1, 0, 2), (std::vector<std::string>{"b", "d"}));
    EXPECT_EQ(page_ids(*s, 1, 2, 2), (std::vector<std::string>{"e", "f"}));
    EXPECT_EQ(page_ids(*s, 1, 4, 2), std::vector<std::string>{});
    EXPECT_EQ(s->list("docs", 1, 0, 10).total, 4u);
    EXPECT_EQ(page_ids(*s, 2, 0, 10), (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(s->list("docs", 2, 0, 10).total, 2u);
    EXPECT_EQ(nlohmann::json::parse(*s->get("docs", "a"))["v"], 2);
    EXPECT_FALSE(s->get("docs", "z").has_value());
    EXPECT_FALSE(s->get("other", "a").has_value()) << "indexes are separate";
    EXPECT_EQ(s->task(1).status, TaskStatus::succeeded);
    EXPECT_EQ(s->task(3).status, TaskStatus::failed);
    EXPECT_NE(s->task(3).error.find("_miroir_shard"), std::string::npos);
    EXPECT_EQ(s->task(9).status, TaskStatus::unknown);
    auto st = s->stats();
    EXPECT_EQ(st.documents, 6u);
    EXPECT_EQ(st.pending_tasks, 0u);
    EXPECT_EQ(st.last_task_uid, 4u);
  }
}

TEST(MiroirStore, EveryTaskKindAppliesAlikeInBothStores) {
  miroir::test::TempDir dir("store-kinds");
  LmdbStore lmdb(dir / "lmdb");
  MemoryStore mem;
  run_kinds_script(lmdb);
  run_kinds_script(mem);
  for (Store* s : {static_cast<Store*>(&lmdb), static_cast<Store*>(&mem)}) {
    auto a = nlohmann::json::parse(*s->get("docs", "a"));
    EXPECT_EQ(a, (nlohmann::json{{"id", "a"}, {"v", 1}, {"_miroir_shard", 1}, {"w", "x"}}));
    std::vector<std::string> order;
    auto ordered = nlohmann::ordered_json::parse(*s->get("docs", "a"));
    for (const auto& [k, v] : ordered.items()) order.push_back(k);
    EXPECT_EQ(order, (std::vector<std::string>{"_miroir_shard", "id", "v", "w"}))
        << "a merge keeps the stored field order and appends new fields";
    EXPECT_EQ(nlohmann::json::parse(*s->get("docs", "new")),
              (nlohmann::json{{"w", "y"}, {"_miroir_shard", 2}}));
    EXPECT_EQ(nlohmann::json::parse(*s->get("docs", "b"))["v"], 7);
    EXPECT_FALSE(s->get("docs", "c").has_value());
    EXPECT_FALSE(s->get("docs", "d").has_value());
    EXPECT_EQ(s->list("docs", 3, 0, 10).total, 0u);
    EXPECT_EQ(page_ids(*s, 2, 0, 10), std::vector<std::string>{"new"});
    EXPECT_EQ(page_ids(*s, 1, 0, 10), (std::vector<std::string>{"a", "b"}));
    for (uint64_t uid = 1; uid <= 6; ++uid) EXPECT_EQ(s->task(uid).status, TaskStatus::succeeded) << uid;
    EXPECT_EQ(s->task(7).status, TaskStatus::failed);
    EXPECT_NE(s->task(7).error.find("longer than"), std::string::npos) << s->task(7).error;
    EXPECT_EQ(s->stats().documents, 3u);

    // scan: all shards in order, ids sorted within a shard; or only those asked.
    std::vector<std::pair<uint32_t, std::string>> seen;
    s->scan("docs", {}, [&](uint32_t shard, std::string_view id, std::string_view) {
      seen.emplace_back(shard, std::string(id));
    });
    EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, std::string>>{{1, "a"}, {1, "b"}, {2, "new"}}));
    seen.clear();
    s->scan("docs", {2, 3}, [&](uint32_t shard, std::string_view id, std::string_view) {
      seen.emplace_back(shard, std::string(id));
    });
    EXPECT_EQ(seen, (std::vector<std::pair<uint32_t, std::string>>{{2, "new"}}));
    seen.clear();
    s->scan("other", {}, [&](uint32_t shard, std::string_view id, std::string_view) {
      seen.emplace_back(shard, std::string(id));
    });
    EXPECT_TRUE(seen.empty()) << "indexes are separate";
  }
}

// The write-behind store replays every task kind to disk on flush.
TEST(MiroirStore, WriteBehindFlushesEveryTaskKind) {
  miroir::test::TempDir dir("store-wb");
  {
    miroir::node::WriteBehindStore wb(std::make_unique<LmdbStore>(dir / "lmdb"), std::chrono::hours(1));
    run_kinds_script(wb);
    EXPECT_EQ(wb.stats().documents, 3u);
  }  // destroyed: flushed
  LmdbStore s(dir / "lmdb");
  EXPECT_EQ(nlohmann::json::parse(*s.get("docs", "a"))["w"], "x");
  EXPECT_EQ(nlohmann::json::parse(*s.get("docs", "b"))["v"], 7);
  EXPECT_TRUE(s.get("docs", "new").has_value());
  EXPECT_FALSE(s.get("docs", "c").has_value());
  EXPECT_FALSE(s.get("docs", "e").has_value());
  EXPECT_EQ(s.stats().documents, 3u);
  EXPECT_EQ(s.task(7).status, TaskStatus::failed);
}

TEST(MiroirStore, LmdbStoreReopensWithQueueAndDocuments) {
  miroir::test::TempDir dir("store-reopen");
  {
    LmdbStore s(dir / "lmdb");
    s.enqueue(request({{"a", 0, 1}}));
    s.apply(s.pending(10, 10));
    s.enqueue(request({{"b", 0, 1}}));  // left pending
  }
  LmdbStore s(dir / "lmdb");
  EXPECT_TRUE(s.get("docs", "a").has_value());
  EXPECT_EQ(s.task(2).status, TaskStatus::enqueued);
  auto pending = s.pending(10, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].uid, 2u);
  EXPECT_EQ(s.enqueue(request({{"c", 0, 1}})), 3u) << "the uid counter is persistent";
}

TEST(MiroirGroupCommit, EveryCallerGetsItsOwnResultAndBatchesForm) {
  std::atomic<int> writes{0};
  std::atomic<int> in_writer{0};
  miroir::GroupCommit<int, int> gc([&](const std::vector<int>& items) {
    EXPECT_EQ(in_writer.fetch_add(1), 0) << "one write at a time";
    ++writes;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // an fsync
    std::vector<int> out;
    for (int i : items) out.push_back(i * 10);
    in_writer.fetch_sub(1);
    return out;
  });
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int item = t * 1000 + i;
        if (gc.submit(item) != item * 10) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LT(writes.load(), kThreads * kEach / 2) << "concurrent submits share writes";
}

TEST(MiroirGroupCommit, WriterErrorsReachEveryCallerOfTheBatch) {
  miroir::GroupCommit<int, int> gc([](const std::vector<int>& items) -> std::vector<int> {
    for (int i : items)
      if (i < 0) throw std::runtime_error("disk full");
    return items;
  });
  EXPECT_EQ(gc.submit(5), 5);
  EXPECT_THROW(gc.submit(-1), std::runtime_error);
  EXPECT_EQ(gc.submit(6), 6) << "a failed batch does not poison later ones";
}
