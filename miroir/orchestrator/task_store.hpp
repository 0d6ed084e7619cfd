// The orchestrator's durable task map: task id (mtask-<uuid>) -> the node
// tasks it stands for, (node name, node task uid). SQLite in the data
// directory, WAL mode, synchronous=FULL: put() returns only once the row is
// on disk, because the client is answered with the task id right after, and a
// restarted orchestrator must still be able to report the task. Concurrent
// puts share one transaction (group commit): one sync for many tasks.
//
// Several orchestrator processes of one cluster open the same file (same
// --data directory; shared_sqlite.hpp says how they share it). A task put through one orchestrator is visible to every other one as soon
// as put() returned.
//
// Migrations add two tables to the same file:
//   inflight      the dual-writes of a migration (InflightRecord), stored in
//                 the same transaction as the write's task map, so a drain
//                 (on the coordinator, whichever orchestrator routed the
//                 write) sees every write that may have been acknowledged.
//                 Under --bug volatile-inflight they are kept in this
//                 process's memory instead: lost on restart, and invisible
//                 to the other orchestrators.
//   task_verdicts a final verdict that overrides the node tasks: the drain
//                 marks a write still undecided at its deadline "unknown"
//                 (error miroir_drain_deadline: ...), for good.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "miroir/common/group_commit.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace miroir::orchestrator {

struct NodeTaskRef {
  std::string node;
  uint64_t uid = 0;
};

// One dual-write of a migration: the write's task (its quorum targets are
// in the task map) and its extra target, the new owner `node`.
struct InflightRecord {
  std::string migration;
  std::string task_id;
  std::string node;  // the new owner
  uint64_t uid = 0;  // its node task (0 when refused)
  bool refused = false;  // the new owner refused the enqueue or did not answer
  // Set by the drain: every part final (the quorum targets' and the new owner's).
  bool decided = false;
  std::string new_status;  // the new owner's task, once final: succeeded | failed
  bool failed_on_new() const { return refused || new_status == "failed"; }
};

struct InflightCounts {
  uint64_t dual_writes = 0;
  uint64_t failed_on_new = 0;
};

class TaskStore {
 public:
  // opens DIR/tasks.sqlite (creating DIR)
  explicit TaskStore(const std::string& dir, bool volatile_inflight = false);
  ~TaskStore();
  TaskStore(const TaskStore&) = delete;
  TaskStore& operator=(const TaskStore&) = delete;

  // Throws std::runtime_error when the row could not be stored. The
  // in-flight records are stored in the same transaction.
  void put(const std::string& task_id, const std::vector<NodeTaskRef>& refs,
           const std::vector<InflightRecord>& inflight = {});
  // nullopt when the id is unknown.
  std::optional<std::vector<NodeTaskRef>> get(const std::string& task_id);

  // A verdict that overrides the node tasks (status, error), if any.
  std::optional<std::pair<std::string, std::string>> verdict(const std::string& task_id);
  void set_verdicts(const std::vector<std::string>& task_ids, const std::string& status,
                    const std::string& error);

  std::vector<InflightRecord> inflight(const std::string& migration, bool undecided_only);
  // Stores `decided` and `new_status` of these records.
  void update_inflight(const std::vector<InflightRecord>& records);
  InflightCounts inflight_counts(const std::string& migration);

  static std::string new_task_id();  // "mtask-" + random UUID v4

 private:
  struct Entry {
    const std::string* task_id;
    const std::vector<NodeTaskRef>* refs;
    const std::vector<InflightRecord>* inflight;
  };
  std::vector<bool> put_batch(const std::vector<Entry>& entries);
  void write_batch(const std::vector<Entry>& entries);
  std::optional<std::vector<NodeTaskRef>> read(const std::string& task_id);
  void open_schema();
  // Runs `attempt` again while it fails because the database is busy.
  void retry_busy(const char* what, const std::function<void()>& attempt);
  void exec(const char* sql);
  [[noreturn]] void fail(const char* what);

  std::mutex mu_;  // one connection, serialized
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_task_ = nullptr;
  sqlite3_stmt* insert_ref_ = nullptr;
  sqlite3_stmt* select_task_ = nullptr;
  sqlite3_stmt* select_refs_ = nullptr;
  sqlite3_stmt* insert_inflight_ = nullptr;
  sqlite3_stmt* select_verdict_ = nullptr;
  const bool volatile_inflight_;
  std::mutex memory_mu_;
  std::vector<InflightRecord> memory_inflight_;  // --bug volatile-inflight
  GroupCommit<Entry, bool> committer_{[this](const std::vector<Entry>& e) { return put_batch(e); }};
};

}  // namespace miroir::orchestrator
