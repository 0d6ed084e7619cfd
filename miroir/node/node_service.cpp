#include "miroir/node/node_service.hpp"

#include <algorithm>
#include <chrono>

#include "miroir/common/log.hpp"
#include "miroir/node/document_check.hpp"
#include "miroir/node/fingerprint.hpp"
#include "miroir/node/search.hpp"

namespace miroir::node {

namespace {
constexpr uint32_t kDefaultListLimit = 20;  // Meilisearch's default page
constexpr uint32_t kMaxListLimit = 10000;
constexpr uint32_t kMaxWaitMs = 60000;
constexpr uint32_t kDefaultSearchLimit = 20;  // Meilisearch's default
constexpr uint32_t kMaxSearchLimit = 10000;

// Storage failures are the node's trouble, not the caller's: INTERNAL, so a
// client counts the outcome as unknown rather than as a refusal.
grpc::Status storage_error(const std::exception& e) {
  MIROIR_LOG(error, "node") << "storage: " << e.what();
  return grpc::Status(grpc::StatusCode::INTERNAL, std::string("storage: ") + e.what());
}
}  // namespace

NodeService::NodeService(std::string name, Store& store, Worker& worker)
    : name_(std::move(name)), store_(store), worker_(worker) {}

grpc::Status NodeService::Health(grpc::ServerContext*, const Empty*, HealthReply* reply) {
  reply->set_name(name_);
  reply->set_role("node");
  reply->set_wall_clock_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
  return grpc::Status::OK;
}

grpc::Status NodeService::enqueue(const std::string& index, const NodeTask& task,
                                  const std::function<std::vector<uint32_t>()>& touched_shards,
                                  NodeEnqueueReply* reply) {
  // Only what would make the task unstorable is refused here; document
  // content is checked by the worker and fails the task (as in Meilisearch).
  if (auto e = check_index(index); !e.empty()) {
    reply->set_error_code("invalid_index_uid");
    reply->set_error_message(e);
    return grpc::Status::OK;
  }
  try {
    // (Inside the try: the shards a delete touches are read from the store.)
    if (fault_.refuse(touched_shards)) {
      reply->set_error_code(kInjectedFault);
      reply->set_error_message("write refused by the fault hook (SetFault)");
      return grpc::Status::OK;
    }
    reply->set_task_uid(store_.enqueue(task));
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  worker_.wake();
  return grpc::Status::OK;
}

grpc::Status NodeService::AddDocuments(grpc::ServerContext*, const NodeWriteRequest* req,
                                       NodeEnqueueReply* reply) {
  NodeTask task;
  *task.mutable_write() = *req;
  return enqueue(req->index(), task, [req] {
    std::vector<uint32_t> shards;
    for (const auto& d : req->documents())
      if (auto s = shard_of_json(d.json())) shards.push_back(*s);
    return shards;
  }, reply);
}

grpc::Status NodeService::DeleteDocuments(grpc::ServerContext*, const NodeDeleteRequest* req,
                                          NodeEnqueueReply* reply) {
  NodeTask task;
  *task.mutable_delete_documents() = *req;
  // The node only knows the shard of an id it stores: a delete touches the
  // shards of the documents it would remove now.
  return enqueue(req->index(), task, [this, req] {
    std::vector<uint32_t> shards;
    for (const auto& id : req->ids()) {
      if (id.empty() || id.size() > kMaxIdBytes) continue;
      if (auto doc = store_.get(req->index(), id))
        if (auto s = shard_of_json(*doc)) shards.push_back(*s);
    }
    return shards;
  }, reply);
}

grpc::Status NodeService::DeleteShard(grpc::ServerContext*, const NodeDeleteShardRequest* req,
                                      NodeEnqueueReply* reply) {
  NodeTask task;
  *task.mutable_delete_shard() = *req;
  return enqueue(req->index(), task, [req] { return std::vector<uint32_t>{req->shard()}; }, reply);
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

grpc::Status NodeService::Search(grpc::ServerContext*, const NodeSearchRequest* req,
                                 NodeSearchReply* reply) {
  // An index name no write could have used holds nothing (and must not reach
  // LMDB, whose keys are bounded).
  if (!check_index(req->index()).empty()) return grpc::Status::OK;
  uint32_t limit = req->limit() == 0 ? kDefaultSearchLimit : std::min(req->limit(), kMaxSearchLimit);
  std::vector<uint32_t> shards(req->shards().begin(), req->shards().end());
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  std::vector<std::string> facets(req->facets().begin(), req->facets().end());
  try {
    node::Search search(req->query(), limit, facets);
    store_.scan(req->index(), shards, [&](uint32_t shard, std::string_view id, std::string_view json) {
      search.add(shard, id, json);
    });
    *reply = search.reply();
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::Fingerprint(grpc::ServerContext*, const NodeFingerprintRequest* req,
                                      NodeFingerprintReply* reply) {
  if (req->buckets() > kMaxFingerprintBuckets)
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "buckets: at most " + std::to_string(kMaxFingerprintBuckets) + ", not " +
                            std::to_string(req->buckets()));
  try {
    BucketedFingerprint fp(req->buckets());
    // An index name no write could have used holds nothing (the digests of
    // no document), and must not reach LMDB, whose keys are bounded.
    if (check_index(req->index()).empty())
      store_.scan(req->index(), {req->shard()},
                  [&](uint32_t, std::string_view id, std::string_view json) { fp.add(id, json); });
    reply->set_digest(fp.whole().digest());
    reply->set_documents(fp.whole().documents());
    for (const auto& b : fp.buckets()) {
      reply->add_bucket_digests(b.digest());
      reply->add_bucket_documents(b.documents());
    }
  } catch (const std::exception& e) {
    return storage_error(e);
  }
  return grpc::Status::OK;
}

grpc::Status NodeService::SetFault(grpc::ServerContext*, const NodeFaultRequest* req, Empty*) {
  try {
    fault_.set(req->fail_writes_probability(),
               std::vector<uint32_t>(req->shards().begin(), req->shards().end()));
  } catch (const std::invalid_argument& e) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.what());
  }
  MIROIR_LOG(info, "node") << name_ << ": fault hook: refuse writes with probability "
                          << req->fail_writes_probability()
                          << (req->shards().empty() ? " (every shard)" : " (some shards)");
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
