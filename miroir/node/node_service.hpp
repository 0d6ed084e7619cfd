// The gRPC face of a storage node (service miroir.Node). Application errors
// go in reply fields; a non-OK gRPC status means the outcome is unknown.
#pragma once
#include <string>

#include "miroir.grpc.pb.h"
#include "miroir/node/store.hpp"
#include "miroir/node/worker.hpp"

namespace miroir::node {

class NodeService final : public miroir::Node::Service {
 public:
  NodeService(std::string name, Store& store, Worker& worker);

  grpc::Status Health(grpc::ServerContext*, const Empty*, HealthReply*) override;
  grpc::Status AddDocuments(grpc::ServerContext*, const NodeWriteRequest*,
                            NodeEnqueueReply*) override;
  grpc::Status GetTask(grpc::ServerContext*, const NodeTaskRequest*, NodeTaskReply*) override;
  grpc::Status GetDocument(grpc::ServerContext*, const NodeGetRequest*, NodeGetReply*) override;
  grpc::Status ListDocuments(grpc::ServerContext*, const NodeListRequest*,
                             NodeListReply*) override;
  grpc::Status Stats(grpc::ServerContext*, const Empty*, NodeStatsReply*) override;

 private:
  std::string name_;
  Store& store_;
  Worker& worker_;
};

}  // namespace miroir::node
