// The gRPC face of an orchestrator (service miroir.Orchestrator): thin glue
// over the write path, the task tracker and the read path, with the health
// prober running behind them for as long as the service exists.
#pragma once
#include <string>

#include "miroir.grpc.pb.h"
#include "miroir/orchestrator/anti_entropy.hpp"
#include "miroir/orchestrator/health_prober.hpp"
#include "miroir/orchestrator/node_clients.hpp"
#include "miroir/orchestrator/node_states.hpp"
#include "miroir/orchestrator/options.hpp"
#include "miroir/orchestrator/read_path.hpp"
#include "miroir/orchestrator/search_path.hpp"
#include "miroir/orchestrator/task_store.hpp"
#include "miroir/orchestrator/task_tracker.hpp"
#include "miroir/orchestrator/topology.hpp"
#include "miroir/orchestrator/write_path.hpp"

namespace miroir::orchestrator {

class OrchestratorService final : public miroir::Orchestrator::Service {
 public:
  OrchestratorService(std::string name, ClusterConfig config, const std::string& data_dir,
                      OrchestratorOptions options = {});

  grpc::Status Health(grpc::ServerContext*, const Empty*, HealthReply*) override;
  grpc::Status AddDocuments(grpc::ServerContext*, const WriteRequest*, WriteReply*) override;
  grpc::Status DeleteDocuments(grpc::ServerContext*, const DeleteRequest*, WriteReply*) override;
  grpc::Status GetTask(grpc::ServerContext*, const TaskRequest*, TaskReply*) override;
  grpc::Status GetDocument(grpc::ServerContext*, const GetRequest*, GetReply*) override;
  grpc::Status ListDocuments(grpc::ServerContext*, const ListRequest*,
                             grpc::ServerWriter<ListPage>*) override;
  grpc::Status Search(grpc::ServerContext*, const SearchRequest*, SearchReply*) override;
  grpc::Status ClusterStats(grpc::ServerContext*, const Empty*, ClusterStatsReply*) override;
  grpc::Status RunAntiEntropy(grpc::ServerContext*, const AntiEntropyRequest*, AntiEntropyReply*) override;

 private:
  std::string name_;
  Topology topology_;
  NodeClients nodes_;
  NodeStates states_;
  TaskStore tasks_;
  WritePath writes_;
  TaskTracker tracker_;
  ReadPath reads_;
  SearchPath searches_;
  AntiEntropy anti_entropy_;
  HealthProber prober_;  // last: probes only once everything it feeds exists
};

}  // namespace miroir::orchestrator
