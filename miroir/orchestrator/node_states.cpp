#include "miroir/orchestrator/node_states.hpp"

#include <stdexcept>

namespace miroir::orchestrator {

std::string_view to_string(NodeState s) {
  switch (s) {
    case NodeState::joining: return "joining";
    case NodeState::active: return "active";
    case NodeState::draining: return "draining";
    case NodeState::failed: return "failed";
    case NodeState::removed: return "removed";
    case NodeState::degraded: return "degraded";
  }
  return "?";
}

bool is_legal_move(NodeState from, NodeState to) {
  using S = NodeState;
  switch (from) {
    case S::joining: return to == S::active;
    case S::active: return to == S::draining || to == S::failed || to == S::degraded;
    case S::draining: return to == S::removed || to == S::failed;
    case S::failed: return to == S::active || to == S::degraded;
    case S::degraded: return to == S::active;
    case S::removed: return false;  // final
  }
  return false;
}

NodeStates::NodeStates(size_t nodes, NodeState initial) : nodes_(nodes) {
  for (auto& n : nodes_) n.state = initial;
}

bool NodeStates::move(int node, NodeState to, std::string* why) {
  std::lock_guard lock(mu_);
  return move_locked(node, to, why);
}

bool NodeStates::move_locked(int node, NodeState to, std::string* why) {
  auto& n = nodes_.at(node);
  if (is_legal_move(n.state, to)) {
    n.state = to;
    return true;
  }
  if (why) {
    std::string legal;
    for (auto s : kAllNodeStates)
      if (is_legal_move(n.state, s)) legal += (legal.empty() ? "" : ", ") + std::string(to_string(s));
    *why = "illegal node state move " + std::string(to_string(n.state)) + " -> " +
           std::string(to_string(to)) + " (legal from " + std::string(to_string(n.state)) + ": " +
           (legal.empty() ? "none" : legal) + ")";
  }
  return false;
}

std::optional<NodeState> NodeStates::record_probe(int node, bool answered) {
  std::lock_guard lock(mu_);
  auto& n = nodes_.at(node);
  n.health.reachable = answered;
  if (answered) {
    n.health.consecutive_failures = 0;
    ++n.health.consecutive_successes;
    if (n.state == NodeState::failed && n.health.consecutive_successes >= kUpAfterSuccesses &&
        move_locked(node, NodeState::active, nullptr))
      return NodeState::active;
  } else {
    n.health.consecutive_successes = 0;
    ++n.health.consecutive_failures;
    if ((n.state == NodeState::active || n.state == NodeState::draining) &&
        n.health.consecutive_failures >= kDownAfterFailures && move_locked(node, NodeState::failed, nullptr))
      return NodeState::failed;
  }
  return std::nullopt;
}

void NodeStates::add(NodeState initial) {
  std::lock_guard lock(mu_);
  nodes_.emplace_back().state = initial;
}

bool NodeStates::adopt(int node, NodeState to) {
  std::lock_guard lock(mu_);
  auto& n = nodes_.at(node);
  if (n.state == to) return false;
  if (move_locked(node, to, nullptr)) return true;
  if (to == NodeState::removed) {
    n.state = to;
    return true;
  }
  return false;
}

NodeView NodeStates::view(int node) const {
  std::lock_guard lock(mu_);
  return nodes_.at(node);
}

std::vector<NodeView> NodeStates::snapshot() const {
  std::lock_guard lock(mu_);
  return nodes_;
}

bool NodeStates::known_down(int node) const {
  std::lock_guard lock(mu_);
  const auto& n = nodes_.at(node);
  return !n.health.reachable || n.state == NodeState::failed || n.state == NodeState::removed;
}

}  // namespace miroir::orchestrator
