// The `--bug ack-before-durable` positive control: tasks are enqueued,
// applied and reported succeeded in memory (a MemoryStore), and everything is
// written to the LMDB store only by a flusher every 2 seconds. A kill -9
// therefore loses writes whose tasks were already reported succeeded, which
// the lost-write checker must flag. A graceful stop flushes first, so only a
// crash loses data, as with a real write-behind cache.
//
// The flush replays a journal of enqueues and applies, in order, through the
// durable store's own code, so the on-disk layout is exactly the normal one
// and a restarted node (with or without the bug) reads it back as usual.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>

#include "miroir/node/lmdb_store.hpp"
#include "miroir/node/memory_store.hpp"

namespace miroir::node {

class WriteBehindStore : public Store {
 public:
  WriteBehindStore(std::unique_ptr<LmdbStore> durable, std::chrono::milliseconds flush_every);
  ~WriteBehindStore() override;  // stops the flusher and flushes

  uint64_t enqueue(const NodeTask& task) override;
  std::vector<QueuedTask> pending(size_t max_tasks, size_t max_documents) override;
  std::vector<TaskOutcome> apply(const std::vector<QueuedTask>& batch) override;
  TaskState task(uint64_t uid) override;
  std::optional<std::string> get(const std::string& index, const std::string& id) override;
  DocumentPage list(const std::string& index, uint32_t shard, uint64_t offset,
                    uint32_t limit) override;
  void scan(const std::string& index, const std::vector<uint32_t>& shards,
            const DocumentVisitor& visit) override;
  StoreStats stats() override;

  void flush();

 private:
  struct Enqueued {
    uint64_t uid;
    NodeTask task;
  };
  using Applied = std::vector<QueuedTask>;
  using Entry = std::variant<Enqueued, Applied>;

  void flusher();

  std::unique_ptr<LmdbStore> durable_;
  MemoryStore memory_;
  uint64_t loaded_last_uid_ = 0;  // older uids are answered by the durable store

  std::mutex journal_mu_;  // orders memory mutations and their journal entries
  std::vector<Entry> journal_;
  std::mutex flush_mu_;  // one replay at a time

  std::chrono::milliseconds flush_every_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace miroir::node
