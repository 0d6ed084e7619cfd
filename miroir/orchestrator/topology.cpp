#include "miroir/orchestrator/topology.hpp"

#include "miroir/common/routing.hpp"

namespace miroir::orchestrator {

Topology::Topology(ClusterConfig config) : config_(std::move(config)) {
  config_.validate();
  auto groups = config_.groups();
  owners_.resize(groups.size());
  for (uint32_t g = 0; g < groups.size(); ++g) {
    owners_[g].resize(config_.shards);
    for (uint32_t s = 0; s < config_.shards; ++s)
      for (const auto& name : miroir::owners(s, groups[g], config_.replication_factor))
        owners_[g][s].push_back(config_.find(name));
  }
}

uint32_t Topology::shard_of(const std::string& primary_key) const {
  return shard_for_key(primary_key, config_.shards);
}

const std::vector<int>& Topology::owners(uint32_t group, uint32_t shard) const {
  return owners_.at(group).at(shard);
}

std::vector<int> Topology::write_targets(uint32_t shard) const {
  std::vector<int> out;
  for (const auto& g : owners_) out.insert(out.end(), g[shard].begin(), g[shard].end());
  return out;
}

}  // namespace miroir::orchestrator
