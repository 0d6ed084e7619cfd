#include "miroir/orchestrator/orchestrator_service.hpp"

#include "core/log.hpp"
#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

namespace {
// The orchestrator's own trouble (e.g. its task store): INTERNAL, outcome unknown.
grpc::Status internal(const char* what, const std::exception& e) {
  ECLAT_LOG(error, "orchestrator") << what << ": " << e.what();
  return grpc::Status(grpc::StatusCode::INTERNAL, std::string(what) + ": " + e.what());
}
}  // namespace

OrchestratorService::OrchestratorService(std::string name, ClusterConfig config,
                                         const std::string& data_dir, OrchestratorOptions options)
    : name_(std::move(name)),
      topology_(std::move(config)),
      nodes_(topology_.config()),
      states_(topology_.config().nodes.size()),
      tasks_(data_dir),
      writes_(topology_, nodes_, tasks_, options.bugs, /*stamp_updated_at=*/options.anti_entropy),
      tracker_(topology_, nodes_, tasks_),
      reads_(topology_, nodes_, states_, options.unavailable_shards, options.bugs),
      searches_(topology_, nodes_, states_, options.unavailable_shards),
      anti_entropy_(topology_, nodes_, options),
      prober_(topology_, nodes_, states_, options.probe_interval, options.probe_timeout) {}

grpc::Status OrchestratorService::Health(grpc::ServerContext*, const Empty*, HealthReply* reply) {
  reply->set_name(name_);
  reply->set_role("orchestrator");
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::AddDocuments(grpc::ServerContext*, const WriteRequest* req,
                                               WriteReply* reply) {
  try {
    *reply = writes_.add_documents(*req);
  } catch (const std::exception& e) {
    return internal("write", e);
  }
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::DeleteDocuments(grpc::ServerContext*, const DeleteRequest* req,
                                                  WriteReply* reply) {
  try {
    *reply = writes_.delete_documents(*req);
  } catch (const std::exception& e) {
    return internal("delete", e);
  }
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::GetTask(grpc::ServerContext* ctx, const TaskRequest* req,
                                          TaskReply* reply) {
  try {
    *reply = tracker_.get(*req, [ctx] { return ctx->IsCancelled(); });
  } catch (const std::exception& e) {
    return internal("task", e);
  }
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::GetDocument(grpc::ServerContext*, const GetRequest* req,
                                              GetReply* reply) {
  *reply = reads_.get(*req);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::ListDocuments(grpc::ServerContext* ctx, const ListRequest* req,
                                                grpc::ServerWriter<ListPage>* writer) {
  reads_.list(*req, [&](const ListPage& page) { return !ctx->IsCancelled() && writer->Write(page); });
  if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Search(grpc::ServerContext*, const SearchRequest* req,
                                         SearchReply* reply) {
  *reply = searches_.search(*req);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::ClusterStats(grpc::ServerContext*, const Empty*,
                                               ClusterStatsReply* reply) {
  Empty empty;
  auto calls = call_every_node<NodeStatsReply>(nodes_, kNodeStatsTimeout,
                                               [&](auto& stub, auto* ctx, auto* reply, auto done) {
                                                 stub.async()->Stats(ctx, &empty, reply, std::move(done));
                                               });
  uint64_t pending = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i]->status.ok())
      pending += calls[i]->reply.pending_tasks();
    else
      reply->add_unreachable(topology_.node_name(static_cast<int>(i)));
  }
  reply->set_pending_node_tasks(pending);

  // The orchestrator's own view: states and probe evidence.
  const auto& config = topology_.config();
  const auto views = states_.snapshot();
  for (size_t i = 0; i < views.size(); ++i) {
    auto* n = reply->add_nodes();
    n->set_name(config.nodes[i].name);
    n->set_group(config.nodes[i].group);
    n->set_address(config.nodes[i].address);
    n->set_state(std::string(to_string(views[i].state)));
    n->set_reachable(views[i].health.reachable);
    n->set_consecutive_failures(views[i].health.consecutive_failures);
  }
  reply->set_shards(topology_.shards());
  reply->set_replication_factor(topology_.rf());
  reply->set_replica_groups(topology_.groups());
  reply->set_anti_entropy(anti_entropy_.enabled());
  if (auto last = anti_entropy_.last()) *reply->mutable_last_anti_entropy() = *last;
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::RunAntiEntropy(grpc::ServerContext* ctx, const AntiEntropyRequest* req,
                                                 AntiEntropyReply* reply) {
  *reply = anti_entropy_.run(*req, [ctx] { return ctx->IsCancelled(); });
  return grpc::Status::OK;
}

}  // namespace miroir::orchestrator
