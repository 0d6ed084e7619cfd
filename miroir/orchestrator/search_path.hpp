// Search: scatter to the covering set of one replica group, then merge.
//   1. q = this orchestrator's query counter (atomic, +1 per search); the
//      group searched is q mod RG, and routing's covering_picks gives the
//      node searched for each shard (start replica q mod RF), over the
//      topology's owner table (the read owners, topology.hpp; the same as
//      rendezvous before any migration). Picks depend on q only through
//      q mod RF, so they are computed once per (group, q mod RF) and
//      topology epoch.
//   2. Each picked node is asked, in parallel and under the read deadline,
//      for exactly the shards it was picked for, with limit = offset + limit:
//      the global window can only come from the nodes' own top hits.
//   3. The shards of a node that did not answer (transport error, deadline)
//      are asked again from another owner: the other replicas of the same
//      group first, then the owners in the other groups (g+1, g+2, … mod
//      RG). One parallel round per retry; a node that failed once is not
//      asked again during this search. Answers are per shard set, so every
//      shard is counted exactly once, from one copy.
//   4. Merge: hits by ranking score descending, then primary key; offset and
//      limit applied to the merged list; `_miroir_*` fields stripped;
//      estimated_total_hits and facet counts summed.
//   5. Shards that no owner answered for, in any group: by policy
//      (options.hpp) a degraded partial answer naming them, or error code
//      miroir_shard_unavailable with no hits (degraded_shards still names
//      them, so a client can tell what was missing).
// The window offset + limit is capped at kMaxSearchWindow hits (like
// Meilisearch's maxTotalHits): hits beyond it are not reachable by paging.
// Facets on `_miroir_*` fields are ignored (they are not client fields).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

inline constexpr uint32_t kDefaultSearchLimit = 20;
inline constexpr uint32_t kMaxSearchWindow = 10000;

class SearchPath {
 public:
  SearchPath(const Topology& topology, NodeClients& nodes, const NodeStates& states, UnavailableShards policy);

  SearchReply search(const SearchRequest& request);

 private:
  using Picks = std::vector<std::vector<std::vector<int>>>;  // [group][q mod RF][shard] -> node
  // Owners of `shard` to try after `first` failed: the rest of group g, then
  // the other groups in order g+1, g+2, …
  static std::vector<int> fallbacks(const TopologySnapshot& topology, uint32_t group, uint32_t shard, int first);
  // The picks of this snapshot's epoch (computed on first use).
  std::shared_ptr<const Picks> picks_for(const TopologySnapshot& topology);

  const Topology& topology_;
  NodeClients& nodes_;
  const NodeStates& states_;  // a pick the prober knows down is asked last
  UnavailableShards policy_;
  std::atomic<uint64_t> counter_{0};
  std::mutex picks_mu_;
  uint64_t picks_epoch_ = UINT64_MAX;
  std::shared_ptr<const Picks> picks_;
};

}  // namespace miroir::orchestrator
