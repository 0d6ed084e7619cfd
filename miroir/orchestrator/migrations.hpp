// Shard migration: a node added to, or removed from, a replica group
// (design: miroir.md, "Migration"; the decisions are in miroir/README.md).
//
// The orchestrator that accepts AddNode/RemoveNode coordinates the migration
// on a thread of its own. Phases, each persisted (migration record and
// topology, one transaction, a new topology epoch) BEFORE it acts, so a
// restarted coordinator resumes from it (a phase that was interrupted is
// redone from its start):
//   computing   the moves were planned at acceptance: rendezvous over the
//               group's members plus the new node (add) or minus the removed
//               one (remove); only shards not already moving move, so
//               concurrent migrations compose (the owner table is explicit);
//   dual-write  writes of a moving shard also go to the new owner T (outside
//               quorum, recorded in the in-flight list); waits until every
//               orchestrator routes so, then the background copy pages the
//               old owner F by `_miroir_shard = N` (offset pagination, pages
//               of copy_page_size) and writes each page to T as stored,
//               waiting for T's task; the cursor is persisted after each page;
//   cutover     writes switch to T (reads stay on F); waits for every
//               orchestrator's acknowledgement, so every write routed for
//               dual-write has stored its in-flight record;
//   draining    waits until every in-flight dual-write is decided on every
//               target (node task long polls), up to drain_deadline. Past
//               it: the undecided writes' tasks become "unknown" for good,
//               a decision is recorded and the delta pass is forced.
//               --bug no-drain-deadline: returns at once;
//   delta       per moving shard: T's ids, then every document of F that T
//               lacks is written to T (copy what the new node lacks: a newer
//               version on F is NOT propagated, a documented hazard).
//               --bug skip-delta: none; --bug conditional-delta: only if a
//               tracked dual-write failed on T (or the deadline forced it);
//   activate    the owner table takes T for the shard (reads and writes);
//               waits for every orchestrator; an added node becomes active;
//   cleanup     DeleteShard on F, waiting for its task; a removed node
//               becomes removed;
//   complete.
// Node calls are retried until they succeed (a refusal, a failed task or a
// transport error waits and tries again): a new owner that keeps refusing
// stalls the migration in its phase rather than losing anything. Nothing
// aborts a migration (phase `aborted` is never produced).
//
// Safety gate: skip-delta with anti-entropy off is refused
// (miroir_unsafe_config) unless --bug bypass-gate. At most kMaxMigrations
// unfinished migrations in the cluster (miroir_too_many_migrations).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "miroir.grpc.pb.h"
#include "miroir/orchestrator/epoch_sync.hpp"
#include "miroir/orchestrator/migration_record.hpp"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir/orchestrator/topology.hpp"
#include "miroir/orchestrator/topology_store.hpp"

namespace miroir::orchestrator {

inline constexpr size_t kMaxMigrations = 4;

class Migrations {
 public:
  Migrations(std::string name, OrchestratorOptions options, Topology& topology, TopologyStore& store,
             EpochSync& sync, NodeClients& nodes, TaskStore& tasks);
  ~Migrations();  // stops the coordinator threads; unfinished migrations stay persisted
  Migrations(const Migrations&) = delete;
  Migrations& operator=(const Migrations&) = delete;

  // Resumes the unfinished migrations this orchestrator coordinates.
  void resume();
  // Stops everything that waits (coordinators, watchers) without waiting.
  void shutdown();

  MigrationReply add_node(const NodeChangeRequest& request);
  MigrationReply remove_node(const NodeChangeRequest& request);
  MigrationsReply list(const MigrationsRequest& request);
  uint32_t running();
  void set_drain_stall(uint32_t ms) { drain_stall_ms_ = ms; }

  // Phase events of the migrations coordinated here, from subscription on.
  class Watcher;
  std::shared_ptr<Watcher> watch();
  // Waits up to `timeout` for the next event; false when none (or shut down).
  bool next(Watcher& watcher, PhaseEvent* event, std::chrono::milliseconds timeout);
  bool shutting_down() const { return stop_; }

 private:
  struct Job;
  MigrationReply accept(const std::string& kind, const NodeChangeRequest& request);
  void start_job(MigrationRecord record);
  void run(Job& job);
  // Persists `phase` (and what it changes in the topology) and announces it.
  void enter(Job& job, const std::string& phase);
  void persist(Job& job);  // the record alone (no topology change)
  void shard_state(Job& job, size_t move, const std::string& state);
  void decide(Job& job, const std::string& decision);
  void wait_acks(Job& job);
  void copy(Job& job);
  void drain(Job& job);
  void delta(Job& job);
  void cleanup(Job& job);
  void emit(const Job& job, int shard, const std::string& shard_state);

  // Node calls, retried until they succeed or the service stops.
  int node_index(const std::string& name);
  NodeListReply list_page(int node, uint32_t shard, uint64_t offset, uint32_t limit);
  void write_and_wait(int node, NodeWriteRequest request, const std::string& what);
  uint64_t delete_shard_and_wait(int node, uint32_t shard);
  // Enqueue with `start`, then long-poll the node task; true when it succeeded.
  bool enqueue_and_wait(int node, const std::function<grpc::Status(grpc::ClientContext*, NodeEnqueueReply*)>& start,
                        std::string* error);
  void pause(std::chrono::milliseconds d);  // throws Stopped when stopping
  void check_stop();

  const std::string name_;
  const OrchestratorOptions options_;
  Topology& topology_;
  TopologyStore& store_;
  EpochSync& sync_;
  NodeClients& nodes_;
  TaskStore& tasks_;
  std::atomic<uint32_t> drain_stall_ms_{0};
  std::atomic<bool> stop_{false};

  std::mutex mu_;  // jobs_, watchers_
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Job>> jobs_;
  std::vector<std::weak_ptr<Watcher>> watchers_;
};

}  // namespace miroir::orchestrator
