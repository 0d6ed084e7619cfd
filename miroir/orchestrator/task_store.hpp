// The orchestrator's durable task map: task id (mtask-<uuid>) -> the node
// tasks it stands for, (node name, node task uid). SQLite in the data
// directory, WAL mode, synchronous=FULL: put() returns only once the row is
// on disk, because the client is answered with the task id right after, and a
// restarted orchestrator must still be able to report the task. Concurrent
// puts share one transaction (group commit): one sync for many tasks.
//
// Several orchestrator processes of one cluster open the same file (same
// --data directory): WAL lets readers run beside the one writer, the busy
// timeout waits for another process's write lock, and what SQLite reports
// busy without waiting (WAL recovery, a snapshot gone stale, a journal mode
// change racing another opener) is retried as a whole, up to kBusyDeadline.
// A task put through one orchestrator is visible to every other one as soon
// as put() returned.
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

// How long an operation keeps retrying while other processes hold the file.
inline constexpr std::chrono::seconds kBusyDeadline{30};

struct NodeTaskRef {
  std::string node;
  uint64_t uid = 0;
};

class TaskStore {
 public:
  explicit TaskStore(const std::string& dir);  // opens DIR/tasks.sqlite (creating DIR)
  ~TaskStore();
  TaskStore(const TaskStore&) = delete;
  TaskStore& operator=(const TaskStore&) = delete;

  // Throws std::runtime_error when the row could not be stored.
  void put(const std::string& task_id, const std::vector<NodeTaskRef>& refs);
  // nullopt when the id is unknown.
  std::optional<std::vector<NodeTaskRef>> get(const std::string& task_id);

  static std::string new_task_id();  // "mtask-" + random UUID v4

 private:
  struct Entry {
    const std::string* task_id;
    const std::vector<NodeTaskRef>* refs;
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
  GroupCommit<Entry, bool> committer_{[this](const std::vector<Entry>& e) { return put_batch(e); }};
};

}  // namespace miroir::orchestrator
