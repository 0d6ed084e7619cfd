// The routing table an orchestrator works from, computed once from the
// cluster configuration with the shared routing functions: owners of every
// shard in every group, as indices into config.nodes. Later (migrations) this
// becomes versioned by a topology epoch; callers only ask it questions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "miroir/common/cluster_config.hpp"

namespace miroir::orchestrator {

class Topology {
 public:
  explicit Topology(ClusterConfig config);

  const ClusterConfig& config() const { return config_; }
  uint32_t shards() const { return config_.shards; }
  uint32_t rf() const { return config_.replication_factor; }
  uint32_t groups() const { return static_cast<uint32_t>(owners_.size()); }
  // floor(RF/2)+1 acknowledgements make a group succeed for a shard.
  uint32_t quorum() const { return rf() / 2 + 1; }

  uint32_t shard_of(const std::string& primary_key) const;
  // Owners of `shard` in `group`, in rendezvous order.
  const std::vector<int>& owners(uint32_t group, uint32_t shard) const;
  // Owners in group 0, then group 1, ...
  std::vector<int> write_targets(uint32_t shard) const;
  const std::string& node_name(int node) const { return config_.nodes[node].name; }

 private:
  ClusterConfig config_;
  std::vector<std::vector<std::vector<int>>> owners_;  // [group][shard] -> nodes
};

}  // namespace miroir::orchestrator
