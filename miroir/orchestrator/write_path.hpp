// The write path: parse and route client documents, inject `_miroir_shard`,
// send each write target its documents in parallel, then decide with the
// two-rule quorum:
//   1. a group succeeds for a shard when floor(RF/2)+1 of its RF owners
//      acknowledged (transport OK and an empty error_code, nothing else);
//   2. the write succeeds when, for every shard touched, at least one group
//      succeeded; groups/shards that missed quorum are reported as degraded.
// Otherwise miroir_no_quorum. On success the task map is stored durably
// before the client hears the task id.
#pragma once
#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class WritePath {
 public:
  WritePath(const Topology& topology, NodeClients& nodes, TaskStore& tasks);

  // Throws std::runtime_error when the task map cannot be stored (outcome
  // unknown to the client: the nodes may apply the documents).
  WriteReply add_documents(const WriteRequest& request);

 private:
  const Topology& topology_;
  NodeClients& nodes_;
  TaskStore& tasks_;
};

}  // namespace miroir::orchestrator
