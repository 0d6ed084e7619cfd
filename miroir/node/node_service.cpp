#include "miroir/node/node_service.hpp"

#include <algorithm>
#include <chrono>

#include "core/log.hpp"
#include "miroir/node/document_check.hpp"

namespace miroir::node {

namespace {
constexpr uint32_t kDefaultListLimit = 20;  // Meilisearch's default page
constexpr uint32_t kMaxListLimit = 10000;
constexpr uint32_t kMaxWaitMs = 60000;

// Storage failures are the node's trouble, not the caller's: INTERNAL, so a
// client counts the outcome as unknown rather than as a refusal.
grpc::Status storage_error(const std::exception& e) {
  ECLAT_LOG(error, "node") << "storage: " << e.what();
  return grpc::Status(grpc::StatusCode::INTERNAL, std::string("storage: ") + e.what());
}
}  // namespace

NodeService::NodeService(std::string name, Store& store, Worker& worker)
    : name_(std::move(name)), store_(store), worker_(worker) {}

grpc::Status NodeService::Health(grpc::ServerContext*, const Empty*, HealthReply* reply) {
  reply->set_name(name_);
  reply->set_role("node");
  return grpc::Status::OK;
}

grpc::Status NodeService::AddDocuments(grpc::ServerContext*, const NodeWriteRequest* req,
                                       NodeEnqueueReply* reply) {
  // Only what would make the task unstorable is refused here; document
  // content is checked by the worker and fails the task (as in Meilisearch).
  if (auto e = check_index(req->index()); !e.empty()) {
    reply->set_error_code("invalid_index_uid");
    reply->set_error_message(e);
    return grpc::Status::OK;
  }
  try {
    reply->set_task_uid(store_.enqueue(*req));
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  worker_.wake();
  return grpc::Status::OK;
}

grpc::Status NodeService::GetTask(grpc::ServerContext* ctx, const NodeTaskRequest* req,
                                  NodeTaskReply* reply) {
  using namespace std::chrono;
  try {
    auto deadline = steady_clock::now() + milliseconds(std::min(req->wait_ms(), kMaxWaitMs));
    // Answer a little before the caller's own deadline so it gets a reply.
    auto remaining = ctx->deadline() - system_clock::now();
    if (remaining < hours(24))
      deadline = std::min(deadline, steady_clock::now() + duration_cast<steady_clock::duration>(remaining) -
                                        milliseconds(50));
    TaskState st = worker_.wait(req->task_uid(), deadline);
    reply->set_task_uid(req->task_uid());
    reply->set_status(to_string(st.status));
    reply->set_error(st.error);
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::GetDocument(grpc::ServerContext*, const NodeGetRequest* req,
                                      NodeGetReply* reply) {
  try {
    if (auto doc = store_.get(req->index(), req->id())) {
      reply->set_found(true);
      reply->set_json(std::move(*doc));
    }
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::ListDocuments(grpc::ServerContext*, const NodeListRequest* req,
                                        NodeListReply* reply) {
  uint32_t limit = req->limit() == 0 ? kDefaultListLimit : std::min(req->limit(), kMaxListLimit);
  try {
    DocumentPage page = store_.list(req->index(), req->shard(), req->offset(), limit);
    reply->set_total(page.total);
    for (auto& [id, json] : page.documents) {
      auto* d = reply->add_documents();
      d->set_id(std::move(id));
      d->set_json(std::move(json));
    }
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::Stats(grpc::ServerContext*, const Empty*, NodeStatsReply* reply) {
  try {
    StoreStats s = store_.stats();
    reply->set_pending_tasks(s.pending_tasks);
    reply->set_last_task_uid(s.last_task_uid);
    reply->set_documents(s.documents);
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

}  // namespace miroir::node
