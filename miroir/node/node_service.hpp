// The gRPC face of a storage node (service miroir.Node). Application errors
// go in reply fields; a non-OK gRPC status means the outcome is unknown.
// Every write kind becomes a task through the same enqueue (fault hook first,
// then the durable queue, then the worker is woken).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "miroir.grpc.pb.h"
#include "miroir/node/fault.hpp"
#include "miroir/node/store.hpp"
#include "miroir/node/worker.hpp"

namespace miroir::node {

class NodeService final : public miroir::Node::Service {
 public:
  NodeService(std::string name, Store& store, Worker& worker);

  grpc::Status Health(grpc::ServerContext*, const Empty*, HealthReply*) override;
  grpc::Status AddDocuments(grpc::ServerContext*, const NodeWriteRequest*,
                            NodeEnqueueReply*) override;
  grpc::Status DeleteDocuments(grpc::ServerContext*, const NodeDeleteRequest*,
                               NodeEnqueueReply*) override;
  grpc::Status DeleteShard(grpc::ServerContext*, const NodeDeleteShardRequest*,
                           NodeEnqueueReply*) override;
  grpc::Status GetTask(grpc::ServerContext*, const NodeTaskRequest*, NodeTaskReply*) override;
  grpc::Status GetDocument(grpc::ServerContext*, const NodeGetRequest*, NodeGetReply*) override;
  grpc::Status ListDocuments(grpc::ServerContext*, const NodeListRequest*,
                             NodeListReply*) override;
  grpc::Status Stats(grpc::ServerContext*, const Empty*, NodeStatsReply*) override;
  grpc::Status Search(grpc::ServerContext*, const NodeSearchRequest*, NodeSearchReply*) override;
  grpc::Status Fingerprint(grpc::ServerContext*, const NodeFingerprintRequest*,
                           NodeFingerprintReply*) override;
  grpc::Status SetFault(grpc::ServerContext*, const NodeFaultRequest*, Empty*) override;

 private:
  // Refusals (bad index, injected fault) in the reply, else enqueue `task`.
  grpc::Status enqueue(const std::string& index, const NodeTask& task,
                       const std::function<std::vector<uint32_t>()>& touched_shards,
                       NodeEnqueueReply* reply);

  std::string name_;
  Store& store_;
  Worker& worker_;
  FaultHook fault_;
};

}  // namespace miroir::node
