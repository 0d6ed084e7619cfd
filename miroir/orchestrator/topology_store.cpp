#include "miroir/orchestrator/topology_store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

#include "miroir/orchestrator/shared_sqlite.hpp"

namespace miroir::orchestrator {

namespace {
using shared_sqlite::Busy;
using shared_sqlite::is_busy;

// A prepared statement finalized however the scope is left.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) check(sqlite3_errcode(db), sql);
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  // true: a row is available.
  bool step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    check(rc, sqlite3_sql(st_));
    return false;
  }
  int64_t i64(int col) { return sqlite3_column_int64(st_, col); }
  std::string text(int col) {
    auto* p = sqlite3_column_text(st_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }

 private:
  void check(int rc, const char* what) {
    std::string msg = std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_);
    if (is_busy(rc) || is_busy(sqlite3_extended_errcode(db_))) throw Busy(msg);
    throw std::runtime_error(msg);
  }
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};
}  // namespace

TopologyStore::TopologyStore(const std::string& dir) {
  db_ = shared_sqlite::open(dir, "topology.sqlite");
  try {
    retry_busy("open", [&] {
      shared_sqlite::use_wal(db_);
      exec("CREATE TABLE IF NOT EXISTS topology (id INTEGER PRIMARY KEY CHECK (id = 1),"
           " epoch INTEGER NOT NULL, state TEXT NOT NULL)");
      exec("CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE,"
           " coordinator TEXT NOT NULL, finished INTEGER NOT NULL, record TEXT NOT NULL)");
      exec("CREATE TABLE IF NOT EXISTS orchestrators (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL,"
           " heartbeat_ms INTEGER NOT NULL)");
    });
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

TopologyStore::~TopologyStore() { sqlite3_close(db_); }

void TopologyStore::retry_busy(const char* what, const std::function<void()>& attempt) {
  shared_sqlite::retry_busy(db_, what, attempt);
}

void TopologyStore::exec(const char* sql) { shared_sqlite::exec(db_, sql); }

void TopologyStore::fail(const char* what) { shared_sqlite::fail(db_, what); }

TopologyStore::Loaded TopologyStore::read_topology() {
  Stmt st(db_, "SELECT epoch, state FROM topology WHERE id = 1");
  Loaded out;
  if (!st.step()) return out;  // epoch 0: none stored
  out.epoch = static_cast<uint64_t>(st.i64(0));
  out.state = TopologyState::from_json(st.text(1));
  return out;
}

std::vector<MigrationRecord> TopologyStore::read_migrations(bool unfinished_only) {
  Stmt st(db_, unfinished_only ? "SELECT record FROM migrations WHERE finished = 0 ORDER BY number"
                               : "SELECT record FROM migrations ORDER BY number");
  std::vector<MigrationRecord> out;
  while (st.step()) out.push_back(MigrationRecord::from_json(st.text(0)));
  return out;
}

TopologyStore::Loaded TopologyStore::load_or_init(const TopologyState& initial) {
  std::lock_guard lock(mu_);
  Loaded out;
  retry_busy("init", [&] {
    exec("BEGIN IMMEDIATE");
    try {
      out = read_topology();
      if (out.epoch == 0) {
        out.epoch = 1;
        out.state = initial;
        Stmt(db_, "INSERT INTO topology (id, epoch, state) VALUES (1, 1, ?)").bind(1, initial.to_json()).step();
      }
      exec("COMMIT");
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
  return out;
}

TopologyStore::Loaded TopologyStore::load() {
  std::lock_guard lock(mu_);
  Loaded out;
  retry_busy("load", [&] { out = read_topology(); });
  return out;
}

uint64_t TopologyStore::epoch() {
  std::lock_guard lock(mu_);
  uint64_t e = 0;
  retry_busy("epoch", [&] {
    Stmt st(db_, "SELECT epoch FROM topology WHERE id = 1");
    e = st.step() ? static_cast<uint64_t>(st.i64(0)) : 0;
  });
  return e;
}

std::vector<MigrationRecord> TopologyStore::Txn::migrations(bool unfinished_only) {
  auto out = store_->read_migrations(unfinished_only);
  // What this transaction already put replaces the stored version.
  for (const auto& p : puts_) {
    bool found = false;
    for (auto& r : out)
      if (r.id == p.id) {
        r = p;
        found = true;
      }
    if (!found && (!unfinished_only || !p.finished())) out.push_back(p);
  }
  if (unfinished_only) std::erase_if(out, [](const MigrationRecord& r) { return r.finished(); });
  return out;
}

uint64_t TopologyStore::Txn::next_migration_number() {
  Stmt st(store_->db_, "SELECT COALESCE(MAX(number), 0) FROM migrations");
  uint64_t n = st.step() ? static_cast<uint64_t>(st.i64(0)) : 0;
  for (const auto& p : puts_) n = std::max(n, p.number);
  return n + 1;
}

uint64_t TopologyStore::transact(const std::function<void(Txn&)>& fn) {
  std::lock_guard lock(mu_);
  uint64_t epoch = 0;
  retry_busy("transaction", [&] {
    exec("BEGIN IMMEDIATE");
    try {
      Txn txn;
      txn.store_ = this;
      Loaded cur = read_topology();
      if (cur.epoch == 0) throw std::runtime_error("no topology stored");
      txn.epoch_ = cur.epoch;
      txn.state_ = std::move(cur.state);
      fn(txn);
      epoch = txn.epoch_;
      if (txn.changed_) {
        ++epoch;
        Stmt(db_, "UPDATE topology SET epoch = ?, state = ? WHERE id = 1")
            .bind(1, static_cast<int64_t>(epoch))
            .bind(2, txn.state_.to_json())
            .step();
      }
      for (auto rec : txn.puts_) {
        if (txn.changed_) rec.epoch = epoch;
        rec.updated_at_ms = unix_ms();
        Stmt(db_,
             "INSERT INTO migrations (id, number, coordinator, finished, record) VALUES (?, ?, ?, ?, ?)"
             " ON CONFLICT(id) DO UPDATE SET coordinator = excluded.coordinator, finished = excluded.finished,"
             " record = excluded.record")
            .bind(1, rec.id)
            .bind(2, static_cast<int64_t>(rec.number))
            .bind(3, rec.coordinator)
            .bind(4, int64_t{rec.finished() ? 1 : 0})
            .bind(5, rec.to_json())
            .step();
      }
      exec("COMMIT");
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
  return epoch;
}

std::vector<MigrationRecord> TopologyStore::migrations() {
  std::lock_guard lock(mu_);
  std::vector<MigrationRecord> out;
  retry_busy("migrations", [&] { out = read_migrations(false); });
  return out;
}

std::optional<MigrationRecord> TopologyStore::migration(const std::string& id) {
  std::lock_guard lock(mu_);
  std::optional<MigrationRecord> out;
  retry_busy("migration", [&] {
    Stmt st(db_, "SELECT record FROM migrations WHERE id = ?");
    st.bind(1, id);
    out = st.step() ? std::optional(MigrationRecord::from_json(st.text(0))) : std::nullopt;
  });
  return out;
}

void TopologyStore::heartbeat(const std::string& orchestrator, uint64_t acked_epoch) {
  std::lock_guard lock(mu_);
  retry_busy("heartbeat", [&] {
    Stmt(db_,
         "INSERT INTO orchestrators (name, epoch, heartbeat_ms) VALUES (?, ?, ?)"
         " ON CONFLICT(name) DO UPDATE SET epoch = excluded.epoch, heartbeat_ms = excluded.heartbeat_ms")
        .bind(1, orchestrator)
        .bind(2, static_cast<int64_t>(acked_epoch))
        .bind(3, unix_ms())
        .step();
  });
}

std::vector<TopologyStore::OrchestratorRow> TopologyStore::orchestrators() {
  std::lock_guard lock(mu_);
  std::vector<OrchestratorRow> out;
  retry_busy("orchestrators", [&] {
    out.clear();
    Stmt st(db_, "SELECT name, epoch, heartbeat_ms FROM orchestrators ORDER BY name");
    while (st.step())
      out.push_back(OrchestratorRow{st.text(0), static_cast<uint64_t>(st.i64(1)), st.i64(2)});
  });
  return out;
}

}  // namespace miroir::orchestrator
