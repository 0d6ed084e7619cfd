#include "miroir/orchestrator/task_store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace miroir::orchestrator {

namespace {
// Resets a statement however the scope is left.
struct Reset {
  sqlite3_stmt* s;
  ~Reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};
}  // namespace

TaskStore::TaskStore(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::string path = (std::filesystem::path(dir) / "tasks.sqlite").string();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL)");
  exec("CREATE TABLE IF NOT EXISTS task_nodes (task_id TEXT NOT NULL, node TEXT NOT NULL,"
       " uid INTEGER NOT NULL, PRIMARY KEY (task_id, node, uid))");
  auto prep = [&](const char* sql, sqlite3_stmt** st) {
    if (sqlite3_prepare_v2(db_, sql, -1, st, nullptr) != SQLITE_OK) fail(sql);
  };
  prep("INSERT INTO tasks (id, created_ms) VALUES (?, ?)", &insert_task_);
  prep("INSERT OR IGNORE INTO task_nodes (task_id, node, uid) VALUES (?, ?, ?)", &insert_ref_);
  prep("SELECT 1 FROM tasks WHERE id = ?", &select_task_);
  prep("SELECT node, uid FROM task_nodes WHERE task_id = ? ORDER BY rowid", &select_refs_);
}

TaskStore::~TaskStore() {
  for (auto* s : {insert_task_, insert_ref_, select_task_, select_refs_}) sqlite3_finalize(s);
  sqlite3_close(db_);
}

void TaskStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(std::string("sqlite: ") + sql + ": " + msg);
  }
}

void TaskStore::fail(const char* what) {
  throw std::runtime_error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
}

void TaskStore::put(const std::string& task_id, const std::vector<NodeTaskRef>& refs) {
  committer_.submit(Entry{&task_id, &refs});
}

std::vector<bool> TaskStore::put_batch(const std::vector<Entry>& entries) {
  std::lock_guard lock(mu_);
  exec("BEGIN IMMEDIATE");
  try {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    for (const auto& e : entries) {
      const std::string& task_id = *e.task_id;
      {
        Reset r{insert_task_};
        sqlite3_bind_text(insert_task_, 1, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert_task_, 2, now);
        if (sqlite3_step(insert_task_) != SQLITE_DONE) fail("insert task");
      }
      for (const auto& ref : *e.refs) {
        Reset r{insert_ref_};
        sqlite3_bind_text(insert_ref_, 1, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert_ref_, 2, ref.node.data(), static_cast<int>(ref.node.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert_ref_, 3, static_cast<sqlite3_int64>(ref.uid));
        if (sqlite3_step(insert_ref_) != SQLITE_DONE) fail("insert task node");
      }
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return std::vector<bool>(entries.size(), true);
}

std::optional<std::vector<NodeTaskRef>> TaskStore::get(const std::string& task_id) {
  std::lock_guard lock(mu_);
  {
    Reset r{select_task_};
    sqlite3_bind_text(select_task_, 1, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(select_task_);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail("select task");
  }
  std::vector<NodeTaskRef> refs;
  Reset r{select_refs_};
  sqlite3_bind_text(select_refs_, 1, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(select_refs_)) == SQLITE_ROW) {
    NodeTaskRef ref;
    ref.node = reinterpret_cast<const char*>(sqlite3_column_text(select_refs_, 0));
    ref.uid = static_cast<uint64_t>(sqlite3_column_int64(select_refs_, 1));
    refs.push_back(std::move(ref));
  }
  if (rc != SQLITE_DONE) fail("select task nodes");
  return refs;
}

std::string TaskStore::new_task_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[64];
  std::snprintf(buf, sizeof buf, "mtask-%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace miroir::orchestrator
