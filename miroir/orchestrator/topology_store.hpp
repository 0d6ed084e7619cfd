// The shared, durable topology: DIR/topology.sqlite next to the task map,
// SQLite in WAL mode with synchronous=FULL, opened by every orchestrator of
// the cluster (same --data DIR), shared like the task map (shared_sqlite.hpp).
//
//   topology      one row: the epoch and the TopologyState (JSON). Every
//                 change bumps the epoch; orchestrators poll it (EpochSync).
//   migrations    one row per migration: id, coordinator, finished, record (JSON)
//   orchestrators name, the epoch it acknowledged, heartbeat (Unix ms)
//
// A change is a transaction (transact): the topology and the migration
// records it touches are read and written under one write lock, so two
// coordinators (two orchestrators) never build on a stale topology.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "miroir/orchestrator/migration_record.hpp"
#include "miroir/orchestrator/topology.hpp"

struct sqlite3;

namespace miroir::orchestrator {

class TopologyStore {
 public:
  explicit TopologyStore(const std::string& dir);  // opens DIR/topology.sqlite (creating DIR)
  ~TopologyStore();
  TopologyStore(const TopologyStore&) = delete;
  TopologyStore& operator=(const TopologyStore&) = delete;

  struct Loaded {
    uint64_t epoch = 0;
    TopologyState state;
  };
  // The stored topology; the first orchestrator of a cluster stores `initial` as epoch 1.
  Loaded load_or_init(const TopologyState& initial);
  Loaded load();
  uint64_t epoch();

  class Txn {
   public:
    const TopologyState& topology() const { return state_; }
    TopologyState& change_topology() {
      changed_ = true;
      return state_;
    }
    uint64_t epoch() const { return epoch_; }
    std::vector<MigrationRecord> migrations(bool unfinished_only);
    uint64_t next_migration_number();
    // Stored at commit; when the topology changed, its epoch field is set
    // to the new epoch.
    void put(const MigrationRecord& record) { puts_.push_back(record); }

   private:
    friend class TopologyStore;
    TopologyStore* store_ = nullptr;
    uint64_t epoch_ = 0;
    TopologyState state_;
    bool changed_ = false;
    std::vector<MigrationRecord> puts_;
  };
  // Runs fn inside one write transaction (run again from scratch while the
  // database is busy, so fn must only touch the Txn and its own outputs).
  // An exception from fn rolls back. Returns the epoch after commit.
  uint64_t transact(const std::function<void(Txn&)>& fn);

  std::vector<MigrationRecord> migrations();
  std::optional<MigrationRecord> migration(const std::string& id);

  void heartbeat(const std::string& orchestrator, uint64_t acked_epoch);
  struct OrchestratorRow {
    std::string name;
    uint64_t epoch = 0;
    int64_t heartbeat_ms = 0;
  };
  std::vector<OrchestratorRow> orchestrators();

 private:
  void retry_busy(const char* what, const std::function<void()>& attempt);
  void exec(const char* sql);
  [[noreturn]] void fail(const char* what);
  // Helpers inside a transaction / a retried read.
  Loaded read_topology();
  std::vector<MigrationRecord> read_migrations(bool unfinished_only);

  std::mutex mu_;  // one connection, serialized
  sqlite3* db_ = nullptr;
};

}  // namespace miroir::orchestrator
