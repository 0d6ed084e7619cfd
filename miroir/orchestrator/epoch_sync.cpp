#include "miroir/orchestrator/epoch_sync.hpp"

#include <stdexcept>

#include "miroir/common/log.hpp"
#include "miroir/orchestrator/migration_record.hpp"

namespace miroir::orchestrator {

namespace {
std::optional<NodeState> topology_state(const std::string& s) {
  if (s == "joining") return NodeState::joining;
  if (s == "active") return NodeState::active;
  if (s == "draining") return NodeState::draining;
  if (s == "removed") return NodeState::removed;
  return std::nullopt;
}
}  // namespace

EpochSync::EpochSync(std::string name, Topology& topology, TopologyStore& store, NodeClients& nodes,
                     NodeStates& states)
    : name_(std::move(name)), topology_(topology), store_(store), nodes_(nodes), states_(states) {
  auto loaded = store_.load_or_init(TopologyState::from_config(topology_.config()));
  apply(loaded);
  beat(true);
  thread_ = std::thread([this] { run(); });
}

EpochSync::~EpochSync() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EpochSync::apply(const TopologyStore::Loaded& loaded) {
  std::lock_guard lock(apply_mu_);
  if (loaded.epoch <= topology_.current()->epoch() && topology_.current()->epoch() != 0) return;
  if (loaded.state.owners.size() != topology_.groups())
    throw std::runtime_error("stored topology has " + std::to_string(loaded.state.owners.size()) +
                             " replica groups, the configuration " + std::to_string(topology_.groups()));
  auto snapshot = std::make_shared<const TopologySnapshot>(loaded.epoch, loaded.state, topology_.shards(),
                                                           topology_.rf());
  // Stubs and states first: a write routed with the new snapshot may use them.
  std::vector<std::string> addresses;
  for (const auto& n : loaded.state.nodes) addresses.push_back(n.address);
  while (states_.size() < addresses.size()) {
    const auto& n = loaded.state.nodes[states_.size()];
    states_.add(topology_state(n.state).value_or(NodeState::active));
    MIROIR_LOG(info, name_) << "topology: node " << n.name << " (" << n.address << ", group " << n.group
                           << ") appended, " << n.state;
  }
  topology_.learn_nodes(loaded.state.nodes);
  nodes_.ensure(addresses);
  const uint64_t before = topology_.current()->epoch();
  topology_.install(snapshot);
  adopt_states(*snapshot);
  if (before != 0)
    MIROIR_LOG(info, name_) << "topology: epoch " << before << " -> " << loaded.epoch << " ("
                           << loaded.state.moves.size() << " shard move(s) in progress)";
}

void EpochSync::adopt_states(const TopologySnapshot& snapshot) {
  for (size_t i = 0; i < snapshot.node_count() && i < states_.size(); ++i) {
    auto want = topology_state(snapshot.node(static_cast<int>(i)).state);
    if (!want) continue;
    // Probes own failed/active for active nodes; the topology owns the rest.
    const auto cur = states_.view(static_cast<int>(i)).state;
    if (*want == NodeState::active && cur != NodeState::joining) continue;
    if (states_.adopt(static_cast<int>(i), *want))
      MIROIR_LOG(info, name_) << "node " << snapshot.node(static_cast<int>(i)).name << " is now "
                             << to_string(*want) << " (topology epoch " << snapshot.epoch() << ")";
  }
}

void EpochSync::reload() {
  auto loaded = store_.load();
  if (loaded.epoch != 0) apply(loaded);
  beat(false);
}

void EpochSync::beat(bool force) {
  const uint64_t acked = topology_.acked_epoch();
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(apply_mu_);
    if (!force && acked == last_acked_ && now - last_beat_ < kHeartbeatEvery) return;
    last_acked_ = acked;
    last_beat_ = now;
  }
  store_.heartbeat(name_, acked);
}

void EpochSync::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, kEpochPoll, [&] { return stop_ || poke_; });
    if (stop_) break;
    poke_ = false;
    lock.unlock();
    try {
      if (store_.epoch() != topology_.current()->epoch()) reload();
      adopt_states(*topology_.current());
      beat(false);
    } catch (const std::exception& e) {
      MIROIR_LOG(error, name_) << "topology sync: " << e.what();
    }
    lock.lock();
  }
}

std::vector<std::string> EpochSync::wait_acks(uint64_t epoch, std::chrono::milliseconds timeout,
                                              const std::function<bool()>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Our own acknowledgement first (no need to wait for the next poll).
  try {
    reload();
  } catch (const std::exception& e) {
    MIROIR_LOG(error, name_) << "topology sync: " << e.what();
  }
  for (;;) {
    std::vector<std::string> missing;
    const int64_t now = unix_ms();
    for (const auto& o : store_.orchestrators()) {
      if (now - o.heartbeat_ms >= kFreshHeartbeat.count()) continue;  // stale: not waited for
      if (o.name == name_) {
        if (topology_.acked_epoch() < epoch) missing.push_back(o.name);
        beat(false);
        continue;
      }
      if (o.epoch < epoch) missing.push_back(o.name);
    }
    if (missing.empty() || std::chrono::steady_clock::now() >= deadline || stop()) return missing;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace miroir::orchestrator
