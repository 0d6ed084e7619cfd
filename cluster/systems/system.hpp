// A system adapter: how to lay out, start, probe and stop the nodes of one
// system under test inside the lab, and how to open a client to it.
// Adapters register by name ("miroir", later "etcd").
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/network.hpp"
#include "cluster/process.hpp"
#include "core/test_config.hpp"
#include "workloads/client.hpp"

namespace eclat {

// Membership changes and what a run needs to watch and judge them, for a
// system with shard migrations (miroir). Faults, workloads and checkers that
// need them ask System::migrations() in validate.
class MigrationHooks {
 public:
  virtual ~MigrationHooks() = default;

  // Starts the next spare node and asks the coordinator to add it. Returns
  // what was done ({"node", "migration"} or {"refused": error} when the
  // coordinator refused, e.g. the safety gate). HarnessError when no spare
  // node is left or the coordinator cannot be reached.
  virtual nlohmann::json add_node() = 0;
  // Asks the coordinator to remove `node` (empty: the last active node).
  virtual nlohmann::json remove_node(const std::string& node) = 0;
  // The node most recently added (empty before any add).
  virtual std::string newest_node() const = 0;
  // The process coordinating migrations (kill-coordinator's target).
  virtual std::string coordinator() const = 0;
  // Every drain starting from now on stalls this long (0 clears).
  virtual void set_drain_stall(std::chrono::milliseconds stall) = 0;

  // Phase changes of migrations, delivered on a watcher thread as JSON
  // (PhaseEvent fields) until stop_watching(); the watcher reconnects when
  // the coordinator restarts.
  virtual void watch_phases(std::function<void(const nlohmann::json&)> on_event) = 0;
  virtual void stop_watching() = 0;

  // Waits until no migration runs; returns every migration's status.
  virtual nlohmann::json wait_migrations(std::chrono::milliseconds timeout) = 0;
  // One anti-entropy pass now, waited for ({"ran": false} when it is off).
  virtual nlohmann::json anti_entropy_now() = 0;
  // Where every document is, read from the nodes directly: routes (owners
  // per shard and group), per node per shard document count and digest.
  virtual nlohmann::json inspect() = 0;
  // `count` document ids on shards the next added node will take (so
  // overwrites hit the moving shards).
  virtual std::vector<std::string> keys_on_moving_shards(size_t count) const = 0;
};

class System {
 public:
  virtual ~System() = default;

  // Refuses settings and bug names this system does not understand (BadInput).
  // Runs before the lab exists, so it must not start anything.
  virtual void validate(const TestConfig& cfg) const = 0;

  // Adds the hosts to the network, writes configuration under run_dir,
  // starts every process and waits until each one is ready.
  virtual void setup(Network& net, const std::filesystem::path& run_dir) = 0;

  // Storage nodes: the targets of process faults.
  virtual std::vector<std::string> db_nodes() const = 0;
  virtual NodeProcess& process(const std::string& node) = 0;

  // Waits until the node answers its health check; HarnessError names the
  // node and shows the tail of its log when it never does.
  virtual void wait_ready(const std::string& node, std::chrono::milliseconds timeout) = 0;

  // One client per worker (clients are not shared between threads).
  virtual std::unique_ptr<Client> client(int worker) = 0;

  // After healing: waits until the cluster has no pending work (every node
  // reachable, every task queue empty). False when the timeout passed first.
  virtual bool wait_quiescent(std::chrono::milliseconds timeout) = 0;

  // Stops every process (graceful, then kill). Safe to call twice.
  virtual void teardown() = 0;

  // Fault hooks a system may offer the nemesis (faults that need them check
  // in validate). fail_writes: from now on the node refuses writes with this
  // probability, as a definite application error; 0 clears it. HarnessError
  // when the node cannot be told (e.g. it is down).
  // `shards` empty: every write; otherwise only writes of documents of
  // those shards.
  virtual bool can_fail_writes() const { return false; }
  virtual void fail_writes(const std::string& node, double probability,
                           const std::vector<uint32_t>& shards = {});

  // The node's own wall clock as it reports it (clock faults check their
  // effect with it); nullopt when the system cannot tell or the node does
  // not answer.
  virtual std::optional<std::chrono::system_clock::time_point> wall_clock(const std::string&) { return std::nullopt; }
  // Whether the clock faults can move this system's clocks: its nodes read
  // the time through libc, so libfaketime (ProcessSpec::clock_file) reaches
  // them. Go programs such as etcd read it without libc: there it would
  // silently do nothing, so the clock faults refuse such a system.
  virtual bool clocks_movable() const { return false; }
  // Whether the client knows cas(key, [old new]) (the register workload
  // adds cas operations when it does).
  virtual bool can_cas() const { return false; }

  // The node currently leading (etcd's leader), the target of "primary"
  // faults; empty when the system has no leader or none is known now.
  virtual bool has_primary() const { return false; }
  virtual std::string primary() { return {}; }

  // Membership changes and migrations; null when the system has none.
  virtual MigrationHooks* migrations() { return nullptr; }
  const MigrationHooks* migrations() const { return const_cast<System*>(this)->migrations(); }
};

using SystemFactory = std::function<std::unique_ptr<System>(const TestConfig&)>;
bool register_system(const std::string& name, SystemFactory factory);
std::unique_ptr<System> make_system(const TestConfig& cfg);  // BadInput for unknown names
std::vector<std::string> system_names();

}  // namespace eclat
