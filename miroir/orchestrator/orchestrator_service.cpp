#include "miroir/orchestrator/orchestrator_service.hpp"

#include <chrono>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"

namespace miroir::orchestrator {

namespace {
// The orchestrator's own trouble (e.g. its task store): INTERNAL, outcome unknown.
grpc::Status internal(const char* what, const std::exception& e) {
  MIROIR_LOG(error, "orchestrator") << what << ": " << e.what();
  return grpc::Status(grpc::StatusCode::INTERNAL, std::string(what) + ": " + e.what());
}
}  // namespace

OrchestratorService::OrchestratorService(std::string name, ClusterConfig config,
                                         const std::string& data_dir, OrchestratorOptions options)
    : name_(std::move(name)),
      options_(options),
      topology_(std::move(config)),
      topology_store_(data_dir),
      nodes_(topology_.config()),
      states_(topology_.config().nodes.size()),
      tasks_(data_dir, options.bugs.volatile_inflight),
      sync_(name_, topology_, topology_store_, nodes_, states_),
      writes_(topology_, nodes_, tasks_, options.bugs, /*stamp_updated_at=*/options.anti_entropy),
      tracker_(topology_, nodes_, tasks_),
      reads_(topology_, nodes_, states_, options.unavailable_shards, options.bugs),
      searches_(topology_, nodes_, states_, options.unavailable_shards),
      anti_entropy_(topology_, nodes_, options),
      migrations_(name_, options, topology_, topology_store_, sync_, nodes_, tasks_),
      prober_(topology_, nodes_, states_, options.probe_interval, options.probe_timeout) {
  migrations_.resume();
}

grpc::Status OrchestratorService::Health(grpc::ServerContext*, const Empty*, HealthReply* reply) {
  reply->set_name(name_);
  reply->set_role("orchestrator");
  reply->set_wall_clock_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
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
  const auto topology = topology_.current();
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i]->status.ok())
      pending += calls[i]->reply.pending_tasks();
    else if (i >= topology->node_count() || topology->node(static_cast<int>(i)).state != "removed")
      reply->add_unreachable(topology_.node_name(static_cast<int>(i)));  // a removed node may be gone
  }
  reply->set_pending_node_tasks(pending);

  // The orchestrator's own view: states and probe evidence.
  const auto views = states_.snapshot();
  for (size_t i = 0; i < views.size() && i < topology->node_count(); ++i) {
    const auto& node = topology->node(static_cast<int>(i));
    auto* n = reply->add_nodes();
    n->set_name(node.name);
    n->set_group(node.group);
    n->set_address(node.address);
    n->set_state(std::string(to_string(views[i].state)));
    n->set_reachable(views[i].health.reachable);
    n->set_consecutive_failures(views[i].health.consecutive_failures);
  }
  reply->set_shards(topology_.shards());
  reply->set_replication_factor(topology_.rf());
  reply->set_replica_groups(topology_.groups());
  reply->set_epoch(topology->epoch());
  for (uint32_t s = 0; s < topology->shards(); ++s)
    for (uint32_t g = 0; g < topology->groups(); ++g) {
      auto* r = reply->add_routes();
      r->set_shard(s);
      r->set_group(g);
      for (int o : topology->owners(g, s)) r->add_owners(topology->node(o).name);
      if (const auto* m = topology->move(g, s)) {
        r->set_moving_from(m->from);
        r->set_moving_to(m->to);
        r->set_phase(m->phase);
      }
    }
  reply->set_anti_entropy(anti_entropy_.enabled());
  if (auto last = anti_entropy_.last()) *reply->mutable_last_anti_entropy() = *last;
  try {
    reply->set_migrations_running(migrations_.running());
  } catch (const std::exception& e) {
    return internal("cluster stats", e);
  }
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::AddNode(grpc::ServerContext*, const NodeChangeRequest* req, MigrationReply* reply) {
  *reply = migrations_.add_node(*req);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::RemoveNode(grpc::ServerContext*, const NodeChangeRequest* req,
                                             MigrationReply* reply) {
  *reply = migrations_.remove_node(*req);
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::Migrations(grpc::ServerContext*, const MigrationsRequest* req,
                                             MigrationsReply* reply) {
  try {
    *reply = migrations_.list(*req);
  } catch (const std::exception& e) {
    return internal("migrations", e);
  }
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::WatchMigrations(grpc::ServerContext* ctx, const Empty*,
                                                  grpc::ServerWriter<PhaseEvent>* writer) {
  auto watcher = migrations_.watch();
  PhaseEvent event;
  while (!ctx->IsCancelled() && !migrations_.shutting_down()) {
    if (migrations_.next(*watcher, &event, std::chrono::milliseconds(100)) && !writer->Write(event)) break;
  }
  if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::SetDrainStall(grpc::ServerContext*, const DrainStallRequest* req, Empty*) {
  migrations_.set_drain_stall(req->stall_ms());
  MIROIR_LOG(info, name_) << "drain stall set to " << req->stall_ms() << " ms (SetDrainStall)";
  return grpc::Status::OK;
}

grpc::Status OrchestratorService::RunAntiEntropy(grpc::ServerContext* ctx, const AntiEntropyRequest* req,
                                                 AntiEntropyReply* reply) {
  *reply = anti_entropy_.run(*req, [ctx] { return ctx->IsCancelled(); });
  return grpc::Status::OK;
}

}  // namespace miroir::orchestrator
