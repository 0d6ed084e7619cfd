#include "miroir/orchestrator/topology.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "miroir/common/routing.hpp"

namespace miroir::orchestrator {

// ------------------------------------------------------------------ state

TopologyState TopologyState::from_config(const ClusterConfig& config) {
  config.validate();
  TopologyState st;
  for (const auto& n : config.nodes) st.nodes.push_back(TopologyNode{n.name, n.address, n.group, "active"});
  auto groups = config.groups();
  st.owners.resize(groups.size());
  for (uint32_t g = 0; g < groups.size(); ++g) {
    st.owners[g].resize(config.shards);
    for (uint32_t s = 0; s < config.shards; ++s)
      st.owners[g][s] = miroir::owners(s, groups[g], config.replication_factor);
  }
  return st;
}

std::string TopologyState::to_json() const {
  nlohmann::json j;
  auto& nodes_j = j["nodes"] = nlohmann::json::array();
  for (const auto& n : nodes)
    nodes_j.push_back({{"name", n.name}, {"address", n.address}, {"group", n.group}, {"state", n.state}});
  j["owners"] = owners;
  auto& moves_j = j["moves"] = nlohmann::json::array();
  for (const auto& m : moves)
    moves_j.push_back({{"group", m.group},
                       {"shard", m.shard},
                       {"from", m.from},
                       {"to", m.to},
                       {"migration", m.migration},
                       {"phase", m.phase}});
  return j.dump();
}

TopologyState TopologyState::from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    TopologyState st;
    for (const auto& n : j.at("nodes"))
      st.nodes.push_back(TopologyNode{n.at("name").get<std::string>(), n.at("address").get<std::string>(),
                                      n.at("group").get<uint32_t>(), n.at("state").get<std::string>()});
    st.owners = j.at("owners").get<std::vector<std::vector<std::vector<std::string>>>>();
    for (const auto& m : j.at("moves"))
      st.moves.push_back(TopologyMove{m.at("group").get<uint32_t>(), m.at("shard").get<uint32_t>(),
                                      m.at("from").get<std::string>(), m.at("to").get<std::string>(),
                                      m.at("migration").get<std::string>(), m.at("phase").get<std::string>()});
    return st;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("stored topology is not readable: ") + e.what());
  }
}

int TopologyState::find(const std::string& name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> TopologyState::members(uint32_t group) const {
  std::vector<std::string> out;
  for (const auto& n : nodes)
    if (n.group == group && n.state != "draining" && n.state != "removed") out.push_back(n.name);
  return out;
}

void TopologyState::sort_owners(uint32_t shard, std::vector<std::string>& owners) {
  std::sort(owners.begin(), owners.end(), [shard](const std::string& a, const std::string& b) {
    auto sa = miroir::score(shard, a), sb = miroir::score(shard, b);
    if (sa != sb) return sa > sb;
    return a < b;
  });
}

bool phase_dual_writes(const std::string& phase) { return phase == "dual-write"; }
bool phase_writes_to_new(const std::string& phase) {
  return phase == "cutover" || phase == "draining" || phase == "delta";
}

// --------------------------------------------------------------- snapshot

TopologySnapshot::TopologySnapshot(uint64_t epoch, TopologyState state, uint32_t shards, uint32_t rf)
    : epoch_(epoch), state_(std::move(state)), shards_(shards), rf_(rf) {
  for (size_t i = 0; i < state_.nodes.size(); ++i) index_[state_.nodes[i].name] = static_cast<int>(i);
  const size_t groups = state_.owners.size();
  read_owners_.assign(groups, std::vector<std::vector<int>>(shards_));
  moves_.assign(groups, std::vector<int>(shards_, -1));
  extras_.assign(shards_, {});
  for (size_t g = 0; g < groups; ++g) {
    if (state_.owners[g].size() != shards_)
      throw std::runtime_error("stored topology has " + std::to_string(state_.owners[g].size()) +
                               " shards in group " + std::to_string(g) + ", the configuration " +
                               std::to_string(shards_));
    for (uint32_t s = 0; s < shards_; ++s)
      for (const auto& name : state_.owners[g][s]) {
        int i = find(name);
        if (i < 0) throw std::runtime_error("stored topology names an unknown owner " + name);
        read_owners_[g][s].push_back(i);
      }
  }
  write_owners_ = read_owners_;
  for (size_t m = 0; m < state_.moves.size(); ++m) {
    const auto& mv = state_.moves[m];
    if (mv.group >= groups || mv.shard >= shards_) throw std::runtime_error("stored topology: bad move");
    moves_[mv.group][mv.shard] = static_cast<int>(m);
    const int from = find(mv.from), to = find(mv.to);
    if (from < 0 || to < 0) throw std::runtime_error("stored topology: a move names an unknown node");
    if (phase_dual_writes(mv.phase)) {
      extras_[mv.shard].push_back(Extra{to, mv.migration});
    } else if (phase_writes_to_new(mv.phase)) {
      for (auto& n : write_owners_[mv.group][mv.shard])
        if (n == from) n = to;
    }
  }
}

int TopologySnapshot::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

std::vector<int> TopologySnapshot::write_targets(uint32_t shard) const {
  std::vector<int> out;
  for (const auto& g : write_owners_) out.insert(out.end(), g[shard].begin(), g[shard].end());
  return out;
}

std::vector<int> TopologySnapshot::read_targets(uint32_t shard) const {
  std::vector<int> out;
  for (const auto& g : read_owners_) out.insert(out.end(), g[shard].begin(), g[shard].end());
  return out;
}

std::vector<int> TopologySnapshot::copies(uint32_t shard) const {
  std::vector<int> out = read_targets(shard);
  auto add = [&](int n) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  for (int n : write_targets(shard)) add(n);
  for (const auto& x : extras_.at(shard)) add(x.node);
  return out;
}

const TopologyMove* TopologySnapshot::move(uint32_t group, uint32_t shard) const {
  int m = moves_.at(group).at(shard);
  return m < 0 ? nullptr : &state_.moves[m];
}

// ------------------------------------------------------------------- live

Topology::Topology(ClusterConfig config) : config_(std::move(config)) {
  config_.validate();
  groups_ = config_.replica_groups();
  current_ = std::make_shared<const TopologySnapshot>(0, TopologyState::from_config(config_), config_.shards,
                                                      config_.replication_factor);
  for (const auto& n : current_->state().nodes) names_.push_back(n.name);
}

uint32_t Topology::shard_of(const std::string& primary_key) const {
  return shard_for_key(primary_key, config_.shards);
}

std::shared_ptr<const TopologySnapshot> Topology::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void Topology::install(std::shared_ptr<const TopologySnapshot> snapshot) {
  std::lock_guard lock(mu_);
  if (snapshot->epoch() <= current_->epoch() && current_->epoch() != 0) return;
  learn_nodes_locked(snapshot->state().nodes);
  current_ = std::move(snapshot);
}

void Topology::learn_nodes(const std::vector<TopologyNode>& nodes) {
  std::lock_guard lock(mu_);
  learn_nodes_locked(nodes);
}

void Topology::learn_nodes_locked(const std::vector<TopologyNode>& nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i < names_.size()) {
      if (names_[i] != nodes[i].name)
        throw std::runtime_error("topology: node " + std::to_string(i) + " is " + nodes[i].name + ", was " +
                                 names_[i] + " (nodes are append-only)");
    } else {
      names_.push_back(nodes[i].name);
    }
  }
}

const std::string& Topology::node_name(int node) const {
  std::lock_guard lock(mu_);
  return names_.at(static_cast<size_t>(node));
}

int Topology::find(const std::string& name) const { return current()->find(name); }

std::unique_ptr<Topology::WriteRoute> Topology::route_write() {
  std::lock_guard lock(mu_);
  ++pinned_[current_->epoch()];
  return std::make_unique<WriteRoute>(this, current_);
}

Topology::WriteRoute::~WriteRoute() { topology_->release(snapshot_->epoch()); }

void Topology::release(uint64_t epoch) {
  std::lock_guard lock(mu_);
  auto it = pinned_.find(epoch);
  if (it != pinned_.end() && --it->second == 0) pinned_.erase(it);
}

uint64_t Topology::acked_epoch() const {
  std::lock_guard lock(mu_);
  uint64_t e = current_->epoch();
  if (!pinned_.empty()) e = std::min(e, pinned_.begin()->first);
  return e;
}

}  // namespace miroir::orchestrator
