// The routing table an orchestrator works from, dynamic and versioned by a
// topology epoch (design: miroir.md, "Migration"; decisions in README).
//
// TopologyState is the persisted form (topology_store.hpp), by node names:
//   - nodes, append-only (a node's index never changes; a removed node stays,
//     with state "removed"), each with address, group and state
//     (joining | active | draining | removed: what the topology decided;
//     failed is a per-orchestrator probe verdict, kept in NodeStates);
//   - an explicit owner table [group][shard] -> owner names, in rendezvous
//     order. It is initialised by rendezvous owners() from the configuration
//     and afterwards only changed by migrations (activate replaces the old
//     owner by the new one), never recomputed: concurrent migrations compose;
//   - the moves of running migrations: (group, shard) from F to T, with the
//     migration's phase.
// TopologySnapshot is one epoch of it, indexed for routing. Per (group,
// shard) moving F -> T, by phase:
//   computing                     routing unchanged;
//   dual-write                    reads and quorum writes on the owners (F);
//                                 T is an extra write target outside quorum;
//   cutover, draining, delta      writes to the owners with T instead of F
//                                 (quorum among those); reads still on F;
//   activate, cleanup             the owner table already has T (reads and
//                                 writes on T); the move is still listed.
// Topology is the live holder: the current snapshot (swapped atomically when
// the epoch changes), and the bookkeeping behind epoch acknowledgements: a
// write pins the snapshot it routed with (route_write) until its fan-out is
// over and its task map and in-flight records are stored; acked_epoch() is
// the newest epoch E such that no pinned write routed with an older epoch.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "miroir/common/cluster_config.hpp"

namespace miroir::orchestrator {

struct TopologyNode {
  std::string name;
  std::string address;
  uint32_t group = 0;
  std::string state = "active";  // joining | active | draining | removed
};

struct TopologyMove {
  uint32_t group = 0;
  uint32_t shard = 0;
  std::string from, to;
  std::string migration;
  std::string phase;  // the migration's phase
};

struct TopologyState {
  std::vector<TopologyNode> nodes;
  std::vector<std::vector<std::vector<std::string>>> owners;  // [group][shard] -> names
  std::vector<TopologyMove> moves;

  // The state of a fresh cluster: every configured node active, owners by rendezvous.
  static TopologyState from_config(const ClusterConfig& config);
  std::string to_json() const;
  static TopologyState from_json(const std::string& text);  // throws std::runtime_error

  int find(const std::string& name) const;
  // Names of the nodes of `group` that take part in routing decisions of a
  // new migration: neither draining nor removed.
  std::vector<std::string> members(uint32_t group) const;
  // Sorts an owner list into rendezvous order for `shard` (score desc, name asc).
  static void sort_owners(uint32_t shard, std::vector<std::string>& owners);
};

// Phases that change routing (see above).
bool phase_dual_writes(const std::string& phase);
bool phase_writes_to_new(const std::string& phase);

class TopologySnapshot {
 public:
  TopologySnapshot(uint64_t epoch, TopologyState state, uint32_t shards, uint32_t rf);

  uint64_t epoch() const { return epoch_; }
  const TopologyState& state() const { return state_; }
  uint32_t shards() const { return shards_; }
  uint32_t rf() const { return rf_; }
  uint32_t groups() const { return static_cast<uint32_t>(read_owners_.size()); }
  uint32_t quorum() const { return rf_ / 2 + 1; }
  size_t node_count() const { return state_.nodes.size(); }
  const TopologyNode& node(int i) const { return state_.nodes.at(i); }
  int find(const std::string& name) const;

  // Owners of `shard` in `group` for reads.
  const std::vector<int>& owners(uint32_t group, uint32_t shard) const { return read_owners_.at(group).at(shard); }
  // Owners of `shard` in `group` for writes (their quorum decides).
  const std::vector<int>& write_owners(uint32_t group, uint32_t shard) const {
    return write_owners_.at(group).at(shard);
  }
  // Write owners in group 0, then group 1, ...
  std::vector<int> write_targets(uint32_t shard) const;
  // Read owners in group 0, then group 1, ...
  std::vector<int> read_targets(uint32_t shard) const;
  // Every node that may hold a copy: read and write owners and dual-write targets.
  std::vector<int> copies(uint32_t shard) const;

  // Dual-write targets of a shard (outside quorum), with their migration.
  struct Extra {
    int node = -1;
    std::string migration;
  };
  const std::vector<Extra>& extras(uint32_t shard) const { return extras_.at(shard); }
  // The move of (group, shard), or nullptr when the shard is stable.
  const TopologyMove* move(uint32_t group, uint32_t shard) const;

 private:
  uint64_t epoch_;
  TopologyState state_;
  uint32_t shards_, rf_;
  std::unordered_map<std::string, int> index_;
  std::vector<std::vector<std::vector<int>>> read_owners_, write_owners_;
  std::vector<std::vector<Extra>> extras_;
  std::vector<std::vector<int>> moves_;  // [group][shard] -> index in state_.moves, -1
};

class Topology {
 public:
  // Epoch 0: the configuration's topology, until the store's is installed.
  explicit Topology(ClusterConfig config);

  // The static part: shard count, RF, index, the configured nodes.
  const ClusterConfig& config() const { return config_; }
  uint32_t shards() const { return config_.shards; }
  uint32_t rf() const { return config_.replication_factor; }
  uint32_t groups() const { return groups_; }
  // floor(RF/2)+1 acknowledgements make a group succeed for a shard.
  uint32_t quorum() const { return rf() / 2 + 1; }
  uint32_t shard_of(const std::string& primary_key) const;

  std::shared_ptr<const TopologySnapshot> current() const;
  uint64_t epoch() const { return current()->epoch(); }
  // Installs a newer snapshot (an older or equal epoch is ignored).
  void install(std::shared_ptr<const TopologySnapshot> snapshot);
  // Learns the names of nodes appended to the topology (before their stubs
  // exist, so node_name works for every index of NodeClients).
  void learn_nodes(const std::vector<TopologyNode>& nodes);

  // Conveniences over the current snapshot (reads).
  std::vector<int> owners(uint32_t group, uint32_t shard) const { return current()->owners(group, shard); }
  std::vector<int> write_targets(uint32_t shard) const { return current()->write_targets(shard); }
  // Stable for the life of the process (nodes are append-only).
  const std::string& node_name(int node) const;
  int find(const std::string& name) const;

  // A write pins the snapshot it routes with until the guard dies.
  class WriteRoute {
   public:
    WriteRoute(Topology* t, std::shared_ptr<const TopologySnapshot> s) : topology_(t), snapshot_(std::move(s)) {}
    ~WriteRoute();
    WriteRoute(const WriteRoute&) = delete;
    WriteRoute& operator=(const WriteRoute&) = delete;
    const TopologySnapshot* operator->() const { return snapshot_.get(); }
    const TopologySnapshot& operator*() const { return *snapshot_; }

   private:
    Topology* topology_;
    std::shared_ptr<const TopologySnapshot> snapshot_;
  };
  std::unique_ptr<WriteRoute> route_write();
  // The newest epoch E such that no pinned write routed with an epoch < E.
  uint64_t acked_epoch() const;

 private:
  void release(uint64_t epoch);
  void learn_nodes_locked(const std::vector<TopologyNode>& nodes);

  const ClusterConfig config_;
  uint32_t groups_;
  mutable std::mutex mu_;
  std::shared_ptr<const TopologySnapshot> current_;
  std::map<uint64_t, uint64_t> pinned_;  // epoch -> writes in progress
  std::deque<std::string> names_;         // node index -> name, append-only
};

}  // namespace miroir::orchestrator
