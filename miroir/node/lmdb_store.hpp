// The durable store: one LMDB environment in the node's data directory.
// Databases:
//   docs        document key -> JSON text (with `_miroir_shard`)
//   by_shard    shard entry key -> ""         (secondary index for listing)
//   counts      shard count key -> be64       (live documents per shard)
//   queue       be64 uid -> NodeTask          (pending tasks of every kind, FIFO by uid)
//   tasks       be64 uid -> status byte ‖ error ('e'nqueued, 's'ucceeded, 'f'ailed)
//   meta        "last_uid" -> be64
// Every mutation is one write transaction committed with LMDB's default
// (synchronous) durability, so once enqueue() returns a kill -9 cannot lose it.
// Concurrent enqueues share one transaction (group commit): one sync for
// many writes, each answered only after that commit.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "miroir/common/group_commit.hpp"
#include "miroir/node/lmdb_env.hpp"
#include "miroir/node/store.hpp"

namespace miroir::node {

class LmdbStore : public Store {
 public:
  explicit LmdbStore(const std::string& dir);

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

  // Every stored document in key order (loads the write-behind store).
  void for_each_document(
      const std::function<void(std::string_view index, std::string_view id, std::string_view json)>&
          fn);

 private:
  class TxnDocuments;  // the DocumentWriter over one write transaction

  void put_document(lmdb::Txn& w, const std::string& index, const std::string& id,
                    const std::string& json, uint32_t shard);
  void erase_document(lmdb::Txn& w, const std::string& index, const std::string& id);
  void add_count(lmdb::Txn& w, const std::string& index, uint32_t shard, int64_t delta);
  uint64_t shard_count(lmdb::Txn& t, const std::string& index, uint32_t shard);
  std::vector<uint64_t> enqueue_batch(const std::vector<const NodeTask*>& tasks);

  lmdb::Env env_;
  MDB_dbi docs_{}, by_shard_{}, counts_{}, queue_{}, tasks_{}, meta_{};
  GroupCommit<const NodeTask*, uint64_t> enqueuer_;
};

}  // namespace miroir::node
