// The write path: writes (add-or-replace, add-or-update) and deletes by id.
// Both route each primary key to its shard, send each write target its part
// in parallel (one request per node), then decide with the two-rule quorum:
//   1. a group succeeds for a shard when floor(RF/2)+1 of its RF owners
//      acknowledged (transport OK and an empty error_code, nothing else);
//   2. the operation succeeds when, for every shard touched, at least one
//      group succeeded; groups/shards that missed quorum are reported as
//      degraded.
// Otherwise miroir_no_quorum. On success the task map (the node task uids of
// the acknowledged enqueues) is stored durably before the client hears the
// task id.
//
// With anti-entropy on (stamp_updated_at) every written document also gets
// `_miroir_updated_at`, the orchestrator's wall clock in Unix ms, one value
// per request so every copy of a write stores the same bytes.
//
// Migrations (topology.hpp): an operation routes with the topology epoch it
// pinned (route_write) until its task map is stored. A shard in dual-write
// also goes to its new owner, an extra target outside the quorum: that part
// is not in the task map (a failure there is what the delta pass repairs)
// but in the migration's in-flight list, stored with the task map.
#pragma once
#include <map>
#include <memory>
#include <set>

#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/retry_cache.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class WritePath {
 public:
  WritePath(Topology& topology, NodeClients& nodes, TaskStore& tasks, BugSwitches bugs = {},
            bool stamp_updated_at = false);

  // Both throw std::runtime_error when the task map cannot be stored (outcome
  // unknown to the client: the nodes may apply the operation).
  WriteReply add_documents(const WriteRequest& request);
  WriteReply delete_documents(const DeleteRequest& request);

  // One node's share of an operation and what became of it (write_path.cpp).
  struct NodeCall;
  using Calls = std::map<int, std::unique_ptr<NodeCall>>;  // target node -> call
  // Extra (dual-write) targets of an operation: node -> migrations.
  using Extras = std::map<int, std::set<std::string>>;

 private:
  // Sends every call in parallel, each bounded by the write deadline.
  void fan_out(Calls& calls);
  // The two-rule quorum over `shards`, the counters, and the task map.
  WriteReply decide(const Calls& calls, const std::set<uint32_t>& shards, const TopologySnapshot& route,
                    const Extras& extras);
  std::string index_of(const std::string& requested) const;

  Topology& topology_;
  NodeClients& nodes_;
  TaskStore& tasks_;
  const BugSwitches bugs_;
  const bool stamp_updated_at_;
  RetryCache retry_cache_;  // used only under --bug retry-cache-aba
};

}  // namespace miroir::orchestrator
