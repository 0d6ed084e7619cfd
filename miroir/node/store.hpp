// What the storage node keeps, behind one interface so that the durable
// implementation (LMDB) and the write-behind positive control share the
// worker and the gRPC service unchanged.
//
// The model is Meilisearch's: a write is *enqueued* as a task (durably, in
// the durable store) and answered with an increasing node-local uid; the
// worker later *applies* pending tasks in uid order, marking each succeeded
// or failed in the same atomic step that applies it. A task is any write kind
// (add-or-replace, add-or-update, delete by ids, delete a shard): one FIFO
// keeps them in the order the node acknowledged them.
//
// Reads that look at many documents (search, fingerprint) go through scan(),
// so they see one consistent state and both stores need only one primitive.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "miroir.pb.h"

namespace miroir::node {

enum class TaskStatus { unknown, enqueued, processing, succeeded, failed };
const char* to_string(TaskStatus s);
inline bool finished(TaskStatus s) {
  return s == TaskStatus::succeeded || s == TaskStatus::failed;
}

struct TaskState {
  TaskStatus status = TaskStatus::unknown;
  std::string error;  // set when failed
};

struct QueuedTask {
  uint64_t uid = 0;
  NodeTask task;  // no kind set: unreadable on disk, applied as a failure
};

struct TaskOutcome {
  uint64_t uid = 0;
  bool ok = false;
  std::string error;
};

struct DocumentPage {
  std::vector<std::pair<std::string, std::string>> documents;  // (id, json), sorted by id
  uint64_t total = 0;  // live documents of the shard
};

// Visits one live document: its shard, id and stored JSON (valid during the call).
using DocumentVisitor =
    std::function<void(uint32_t shard, std::string_view id, std::string_view json)>;

struct StoreStats {
  uint64_t pending_tasks = 0;
  uint64_t last_task_uid = 0;
  uint64_t documents = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Append a task; returns its uid. Once this returns the task is as durable
  // as the implementation promises (the LMDB store: committed and synced).
  // Throws std::runtime_error on a storage failure (then nothing was enqueued).
  virtual uint64_t enqueue(const NodeTask& task) = 0;

  // The oldest pending tasks, in uid order, at most max_tasks of them and
  // stopping before max_documents would be exceeded (but at least one; see
  // task_weight() for what a task counts).
  virtual std::vector<QueuedTask> pending(size_t max_tasks, size_t max_documents) = 0;

  // Apply a batch previously returned by pending(), atomically: every task of
  // the batch leaves the queue with its outcome, or none does.
  virtual std::vector<TaskOutcome> apply(const std::vector<QueuedTask>& batch) = 0;

  // enqueued | succeeded | failed | unknown (processing is the worker's view).
  virtual TaskState task(uint64_t uid) = 0;

  virtual std::optional<std::string> get(const std::string& index, const std::string& id) = 0;
  // Offset pagination over the live documents of one shard, sorted by id.
  virtual DocumentPage list(const std::string& index, uint32_t shard, uint64_t offset,
                            uint32_t limit) = 0;
  // Every live document of `shards` (empty: all shards of the index, in
  // ascending order), shard by shard in the order given, ids ascending within
  // a shard, from one consistent snapshot. Callers pass distinct shards.
  virtual void scan(const std::string& index, const std::vector<uint32_t>& shards,
                    const DocumentVisitor& visit) = 0;
  virtual StoreStats stats() = 0;
};

}  // namespace miroir::node
