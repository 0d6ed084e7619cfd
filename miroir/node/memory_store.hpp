// A store held entirely in process memory, with the same semantics and the
// same key order as LmdbStore. It is the heart of the ack-before-durable
// positive control (see write_behind_store.hpp) and nothing survives the
// process on its own.
#pragma once
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "miroir/node/store.hpp"

namespace miroir::node {

class MemoryStore : public Store {
 public:
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

  // Seeding from a durable copy at start-up.
  void load_document(const std::string& index, const std::string& id, const std::string& json,
                     uint32_t shard);
  void load_queue(uint64_t last_uid, std::vector<QueuedTask> pending);

 private:
  struct Doc {
    std::string json;
    uint32_t shard;
  };
  class LockedDocuments;  // the DocumentWriter over the maps, mu_ held

  void put_locked(const std::string& index, const std::string& id, const std::string& json,
                  uint32_t shard);
  void erase_locked(const std::string& index, const std::string& id);

  std::mutex mu_;
  uint64_t last_uid_ = 0;
  std::map<uint64_t, NodeTask> queue_;
  std::unordered_map<uint64_t, TaskState> tasks_;
  std::map<std::string, Doc> docs_;             // keys::document
  std::set<std::string> by_shard_;              // keys::shard_entry
  std::map<std::string, uint64_t> counts_;      // keys::shard_prefix
};

}  // namespace miroir::node
