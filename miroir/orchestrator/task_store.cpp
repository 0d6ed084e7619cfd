#include "miroir/orchestrator/task_store.hpp"

#include "miroir/orchestrator/shared_sqlite.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

namespace miroir::orchestrator {

namespace {
using shared_sqlite::Busy;
using shared_sqlite::is_busy;

// Resets a statement however the scope is left.
struct Reset {
  sqlite3_stmt* s;
  ~Reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};
}  // namespace

TaskStore::TaskStore(const std::string& dir, bool volatile_inflight) : volatile_inflight_(volatile_inflight) {
  db_ = shared_sqlite::open(dir, "tasks.sqlite");
  try {
    retry_busy("open", [&] { open_schema(); });
  } catch (...) {
    for (auto* st : {insert_task_, insert_ref_, select_task_, select_refs_, insert_inflight_, select_verdict_})
      sqlite3_finalize(st);
    sqlite3_close(db_);
    throw;
  }
}

void TaskStore::open_schema() {
  shared_sqlite::use_wal(db_);
  exec("CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL)");
  exec("CREATE TABLE IF NOT EXISTS task_nodes (task_id TEXT NOT NULL, node TEXT NOT NULL,"
       " uid INTEGER NOT NULL, PRIMARY KEY (task_id, node, uid))");
  exec("CREATE TABLE IF NOT EXISTS inflight (migration TEXT NOT NULL, task_id TEXT NOT NULL, node TEXT NOT NULL,"
       " uid INTEGER NOT NULL, refused INTEGER NOT NULL, decided INTEGER NOT NULL DEFAULT 0,"
       " new_status TEXT NOT NULL DEFAULT '', PRIMARY KEY (migration, task_id, node))");
  exec("CREATE TABLE IF NOT EXISTS task_verdicts (task_id TEXT PRIMARY KEY, status TEXT NOT NULL,"
       " error TEXT NOT NULL)");
  auto prep = [&](const char* sql, sqlite3_stmt** st) {
    sqlite3_finalize(*st);  // from an attempt that was busy
    *st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, st, nullptr) != SQLITE_OK) fail(sql);
  };
  prep("INSERT INTO tasks (id, created_ms) VALUES (?, ?)", &insert_task_);
  prep("INSERT OR IGNORE INTO task_nodes (task_id, node, uid) VALUES (?, ?, ?)", &insert_ref_);
  prep("SELECT 1 FROM tasks WHERE id = ?", &select_task_);
  prep("SELECT node, uid FROM task_nodes WHERE task_id = ? ORDER BY rowid", &select_refs_);
  prep("INSERT OR IGNORE INTO inflight (migration, task_id, node, uid, refused) VALUES (?, ?, ?, ?, ?)",
       &insert_inflight_);
  prep("SELECT status, error FROM task_verdicts WHERE task_id = ?", &select_verdict_);
}

void TaskStore::retry_busy(const char* what, const std::function<void()>& attempt) {
  shared_sqlite::retry_busy(db_, what, attempt);
}

void TaskStore::exec(const char* sql) { shared_sqlite::exec(db_, sql); }

void TaskStore::fail(const char* what) { shared_sqlite::fail(db_, what); }

TaskStore::~TaskStore() {
  for (auto* s : {insert_task_, insert_ref_, select_task_, select_refs_, insert_inflight_, select_verdict_})
    sqlite3_finalize(s);
  sqlite3_close(db_);
}

void TaskStore::put(const std::string& task_id, const std::vector<NodeTaskRef>& refs,
                    const std::vector<InflightRecord>& inflight) {
  static const std::vector<InflightRecord> none;
  committer_.submit(Entry{&task_id, &refs, volatile_inflight_ ? &none : &inflight});
  if (volatile_inflight_ && !inflight.empty()) {
    std::lock_guard lock(memory_mu_);
    memory_inflight_.insert(memory_inflight_.end(), inflight.begin(), inflight.end());
  }
}

std::vector<bool> TaskStore::put_batch(const std::vector<Entry>& entries) {
  std::lock_guard lock(mu_);
  retry_busy("put", [&] { write_batch(entries); });
  return std::vector<bool>(entries.size(), true);
}

void TaskStore::write_batch(const std::vector<Entry>& entries) {
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
      for (const auto& rec : *e.inflight) {
        Reset r{insert_inflight_};
        sqlite3_bind_text(insert_inflight_, 1, rec.migration.data(), static_cast<int>(rec.migration.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(insert_inflight_, 2, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert_inflight_, 3, rec.node.data(), static_cast<int>(rec.node.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert_inflight_, 4, static_cast<sqlite3_int64>(rec.uid));
        sqlite3_bind_int(insert_inflight_, 5, rec.refused ? 1 : 0);
        if (sqlite3_step(insert_inflight_) != SQLITE_DONE) fail("insert inflight");
      }
    }
    exec("COMMIT");
  } catch (...) {
    // A no-op when the failure already ended the transaction.
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::optional<std::vector<NodeTaskRef>> TaskStore::get(const std::string& task_id) {
  std::lock_guard lock(mu_);
  std::optional<std::vector<NodeTaskRef>> out;
  retry_busy("get", [&] { out = read(task_id); });
  return out;
}

std::optional<std::vector<NodeTaskRef>> TaskStore::read(const std::string& task_id) {
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

namespace {
// A one-off statement, finalized however the scope is left.
struct OneOff {
  sqlite3_stmt* s = nullptr;
  ~OneOff() { sqlite3_finalize(s); }
};
}  // namespace

std::optional<std::pair<std::string, std::string>> TaskStore::verdict(const std::string& task_id) {
  std::lock_guard lock(mu_);
  std::optional<std::pair<std::string, std::string>> out;
  retry_busy("verdict", [&] {
    Reset r{select_verdict_};
    sqlite3_bind_text(select_verdict_, 1, task_id.data(), static_cast<int>(task_id.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(select_verdict_);
    out.reset();
    if (rc == SQLITE_ROW)
      out = std::make_pair(std::string(reinterpret_cast<const char*>(sqlite3_column_text(select_verdict_, 0))),
                           std::string(reinterpret_cast<const char*>(sqlite3_column_text(select_verdict_, 1))));
    else if (rc != SQLITE_DONE)
      fail("select verdict");
  });
  return out;
}

void TaskStore::set_verdicts(const std::vector<std::string>& task_ids, const std::string& status,
                             const std::string& error) {
  std::lock_guard lock(mu_);
  retry_busy("set verdicts", [&] {
    exec("BEGIN IMMEDIATE");
    try {
      OneOff q;
      if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO task_verdicts (task_id, status, error) VALUES (?, ?, ?)",
                             -1, &q.s, nullptr) != SQLITE_OK)
        fail("prepare set verdict");
      for (const auto& id : task_ids) {
        sqlite3_reset(q.s);
        sqlite3_bind_text(q.s, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.s, 2, status.data(), static_cast<int>(status.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.s, 3, error.data(), static_cast<int>(error.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(q.s) != SQLITE_DONE) fail("insert verdict");
      }
      exec("COMMIT");
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

std::vector<InflightRecord> TaskStore::inflight(const std::string& migration, bool undecided_only) {
  std::vector<InflightRecord> out;
  if (volatile_inflight_) {
    std::lock_guard lock(memory_mu_);
    for (const auto& r : memory_inflight_)
      if (r.migration == migration && (!undecided_only || !r.decided)) out.push_back(r);
    return out;
  }
  std::lock_guard lock(mu_);
  retry_busy("inflight", [&] {
    out.clear();
    OneOff q;
    const char* sql = undecided_only
                          ? "SELECT task_id, node, uid, refused, decided, new_status FROM inflight"
                            " WHERE migration = ? AND decided = 0 ORDER BY rowid"
                          : "SELECT task_id, node, uid, refused, decided, new_status FROM inflight"
                            " WHERE migration = ? ORDER BY rowid";
    if (sqlite3_prepare_v2(db_, sql, -1, &q.s, nullptr) != SQLITE_OK) fail("prepare inflight");
    sqlite3_bind_text(q.s, 1, migration.data(), static_cast<int>(migration.size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q.s)) == SQLITE_ROW) {
      InflightRecord r;
      r.migration = migration;
      r.task_id = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0));
      r.node = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 1));
      r.uid = static_cast<uint64_t>(sqlite3_column_int64(q.s, 2));
      r.refused = sqlite3_column_int(q.s, 3) != 0;
      r.decided = sqlite3_column_int(q.s, 4) != 0;
      r.new_status = reinterpret_cast<const char*>(sqlite3_column_text(q.s, 5));
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) fail("select inflight");
  });
  return out;
}

void TaskStore::update_inflight(const std::vector<InflightRecord>& records) {
  if (records.empty()) return;
  if (volatile_inflight_) {
    std::lock_guard lock(memory_mu_);
    for (const auto& u : records)
      for (auto& r : memory_inflight_)
        if (r.migration == u.migration && r.task_id == u.task_id && r.node == u.node) {
          r.decided = u.decided;
          r.new_status = u.new_status;
        }
    return;
  }
  std::lock_guard lock(mu_);
  retry_busy("update inflight", [&] {
    exec("BEGIN IMMEDIATE");
    try {
      OneOff q;
      if (sqlite3_prepare_v2(db_,
                             "UPDATE inflight SET decided = ?, new_status = ? WHERE migration = ? AND task_id = ?"
                             " AND node = ?",
                             -1, &q.s, nullptr) != SQLITE_OK)
        fail("prepare update inflight");
      for (const auto& r : records) {
        sqlite3_reset(q.s);
        sqlite3_bind_int(q.s, 1, r.decided ? 1 : 0);
        sqlite3_bind_text(q.s, 2, r.new_status.data(), static_cast<int>(r.new_status.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.s, 3, r.migration.data(), static_cast<int>(r.migration.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.s, 4, r.task_id.data(), static_cast<int>(r.task_id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.s, 5, r.node.data(), static_cast<int>(r.node.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(q.s) != SQLITE_DONE) fail("update inflight");
      }
      exec("COMMIT");
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

InflightCounts TaskStore::inflight_counts(const std::string& migration) {
  InflightCounts c;
  if (volatile_inflight_) {
    std::lock_guard lock(memory_mu_);
    for (const auto& r : memory_inflight_)
      if (r.migration == migration) {
        ++c.dual_writes;
        if (r.failed_on_new()) ++c.failed_on_new;
      }
    return c;
  }
  std::lock_guard lock(mu_);
  retry_busy("inflight counts", [&] {
    OneOff q;
    if (sqlite3_prepare_v2(db_,
                           "SELECT COUNT(*), COALESCE(SUM(refused = 1 OR new_status = 'failed'), 0) FROM inflight"
                           " WHERE migration = ?",
                           -1, &q.s, nullptr) != SQLITE_OK)
      fail("prepare inflight counts");
    sqlite3_bind_text(q.s, 1, migration.data(), static_cast<int>(migration.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(q.s) != SQLITE_ROW) fail("inflight counts");
    c.dual_writes = static_cast<uint64_t>(sqlite3_column_int64(q.s, 0));
    c.failed_on_new = static_cast<uint64_t>(sqlite3_column_int64(q.s, 1));
  });
  return c;
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
