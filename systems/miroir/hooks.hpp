// What only miroir can do, for the pack's own faults, workload and checkers:
// membership changes (a node added or removed starts a shard migration), what
// a run needs to watch and judge them, and a node refusing writes on demand.
// The adapter implements it beside System; a pack fault reaches it with
// miroir_hooks(ctx.system), after require_miroir() in validate() refused
// another system (exit 3, as for any fault the system cannot take).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "nemesis/fault.hpp"

namespace eclat {

class MiroirHooks {
 public:
  virtual ~MiroirHooks() = default;

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

  // From now on the node refuses writes with this probability, as a
  // definite application error; 0 clears it. `shards` empty: every write;
  // otherwise only writes of documents of those shards. HarnessError when
  // the node cannot be told (e.g. it is down).
  virtual void fail_writes(const std::string& node, double probability, const std::vector<uint32_t>& shards = {}) = 0;
};

// BadInput naming `what` when the run's system is not miroir.
inline void require_miroir(const std::string& what, const TestConfig& cfg, const System& system) {
  if (!dynamic_cast<const MiroirHooks*>(&system))
    throw BadInput(what + ": system \"" + cfg.system + "\" is not miroir (this is a fault, workload or checker of "
                   "miroir's pack: membership changes, migrations, per-node write refusals)");
}

// After require_miroir() in validate().
inline MiroirHooks& miroir_hooks(System& system) { return dynamic_cast<MiroirHooks&>(system); }
inline MiroirHooks& miroir_hooks(NemesisContext& ctx) { return miroir_hooks(ctx.system); }

}  // namespace eclat
