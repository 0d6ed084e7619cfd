// Orchestrator task status: the aggregate of the node tasks a write became.
//   failed     if any node task failed
//   enqueued / processing  while any is pending, or its node does not answer
//   succeeded  only when every node task succeeded
// Long poll: each node is asked with the time that remains, in parallel, and
// the answer comes as soon as the aggregate is final or the wait is over.
#pragma once
#include <functional>

#include "miroir.pb.h"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir/orchestrator/topology.hpp"

namespace miroir::orchestrator {

class TaskTracker {
 public:
  TaskTracker(const Topology& topology, NodeClients& nodes, TaskStore& tasks);
  // cancelled(): the caller went away; answer with what is known.
  TaskReply get(const TaskRequest& request, const std::function<bool()>& cancelled);

 private:
  const Topology& topology_;
  NodeClients& nodes_;
  TaskStore& tasks_;
};

}  // namespace miroir::orchestrator
