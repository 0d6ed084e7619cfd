// What an orchestrator believes about each node of its configuration: a state
// from the design's state machine and the evidence of the health probes.
//
// States and their ONLY legal moves (design, "Topology"):
//   joining  -> active
//   active   -> draining -> removed
//   active | draining -> failed
//   failed   -> active
//   active | failed -> degraded -> active
// Anything else (self-moves included) is refused with the reason, and the
// state is left as it was.
//
// Probe evidence: kDownAfterFailures consecutive failed probes mark a node
// down (active|draining -> failed); kUpAfterSuccesses consecutive answered
// probes mark it up again (failed -> active). Other states are not changed by
// probes (a joining node is not active until its migration says so; degraded
// and removed are decisions of the topology, not of reachability), but their
// reachability is still recorded. Nodes of the configuration start active;
// nodes added by migrations are appended (add) and follow the topology's
// decisions (adopt).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miroir::orchestrator {

enum class NodeState : uint8_t { joining, active, draining, failed, removed, degraded };

inline constexpr NodeState kAllNodeStates[] = {NodeState::joining,  NodeState::active,
                                               NodeState::draining, NodeState::failed,
                                               NodeState::removed,  NodeState::degraded};
inline constexpr uint32_t kDownAfterFailures = 3;
inline constexpr uint32_t kUpAfterSuccesses = 2;

std::string_view to_string(NodeState s);
bool is_legal_move(NodeState from, NodeState to);

struct NodeHealth {
  bool reachable = true;  // the last probe answered (optimistic before the first)
  uint32_t consecutive_failures = 0;
  uint32_t consecutive_successes = 0;
};

struct NodeView {
  NodeState state = NodeState::active;
  NodeHealth health;
};

class NodeStates {
 public:
  explicit NodeStates(size_t nodes, NodeState initial = NodeState::active);

  // Moves `node` to `to`. An illegal move returns false, leaves the state
  // unchanged and, if `why` is given, says which move and what is legal.
  bool move(int node, NodeState to, std::string* why = nullptr);

  // Records one probe outcome and applies the thresholds above; returns the
  // state the node moved to, if it moved.
  std::optional<NodeState> record_probe(int node, bool answered);

  // A node appended at run time (a migration added it), in `initial` state.
  void add(NodeState initial);
  // The topology decided `to` (joining -> active, active -> draining,
  // draining -> removed): applied when the move is legal. A removal is
  // applied from any state (removed is final and a topology decision, even
  // if the probes had marked the node failed meanwhile). Returns whether the
  // state changed.
  bool adopt(int node, NodeState to);

  NodeView view(int node) const;
  std::vector<NodeView> snapshot() const;
  // A node a read should not pick while another owner is usable: its last
  // probe failed, or its state says it is down or gone.
  bool known_down(int node) const;
  size_t size() const { return nodes_.size(); }

 private:
  bool move_locked(int node, NodeState to, std::string* why);

  mutable std::mutex mu_;
  std::vector<NodeView> nodes_;
};

}  // namespace miroir::orchestrator
