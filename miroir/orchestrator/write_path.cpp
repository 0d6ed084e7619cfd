#include "miroir/orchestrator/write_path.hpp"

#include <algorithm>
#include <sstream>
#include <variant>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

struct WritePath::NodeCall {
  int node = -1;
  std::variant<NodeWriteRequest, NodeDeleteRequest> request;
  NodeEnqueueReply reply;
  grpc::ClientContext ctx;
  grpc::Status status;
  std::string body;         // serialized request, kept only for the retry cache
  bool from_cache = false;  // answered by the retry cache, never sent

  const google::protobuf::Message& message() const {
    return std::visit([](const auto& r) -> const google::protobuf::Message& { return r; }, request);
  }
  // The node enqueued it: it has a task uid the task map can follow.
  bool acked() const { return status.ok() && reply.error_code().empty(); }
  // The node answered "no" (a definite refusal, nothing enqueued).
  bool rejected() const { return status.ok() && !reply.error_code().empty(); }
};

namespace {

// Starts the RPC matching the request type.
void start(miroir::Node::StubInterface::async_interface* node, WritePath::NodeCall* call,
           const NodeWriteRequest& request, std::function<void(grpc::Status)> done) {
  node->AddDocuments(&call->ctx, &request, &call->reply, std::move(done));
}
void start(miroir::Node::StubInterface::async_interface* node, WritePath::NodeCall* call,
           const NodeDeleteRequest& request, std::function<void(grpc::Status)> done) {
  node->DeleteDocuments(&call->ctx, &request, &call->reply, std::move(done));
}

std::string join(const std::set<uint32_t>& xs) {
  std::ostringstream o;
  for (auto it = xs.begin(); it != xs.end(); ++it) o << (it == xs.begin() ? "" : ", ") << *it;
  return o.str();
}

// The call to `node` in `calls`, created with an empty request of type Req.
template <class Req>
Req& request_for(WritePath::Calls& calls, int node, const std::string& index) {
  auto& call = calls[node];
  if (!call) {
    call = std::make_unique<WritePath::NodeCall>();
    call->node = node;
    Req req;
    req.set_index(index);
    call->request = std::move(req);
  }
  return std::get<Req>(call->request);
}

// The write targets of `shard` (quorum), then its dual-write targets, which
// are remembered in `extras`.
std::vector<int> targets(const TopologySnapshot& route, uint32_t shard, WritePath::Extras& extras) {
  std::vector<int> out = route.write_targets(shard);
  for (const auto& x : route.extras(shard)) {
    if (std::find(out.begin(), out.end(), x.node) == out.end()) out.push_back(x.node);
    extras[x.node].insert(x.migration);
  }
  return out;
}

}  // namespace

WritePath::WritePath(Topology& topology, NodeClients& nodes, TaskStore& tasks, BugSwitches bugs,
                     bool stamp_updated_at)
    : topology_(topology), nodes_(nodes), tasks_(tasks), bugs_(bugs), stamp_updated_at_(stamp_updated_at) {}

std::string WritePath::index_of(const std::string& requested) const {
  return requested.empty() ? topology_.config().index : requested;
}

WriteReply WritePath::add_documents(const WriteRequest& request) {
  WriteReply reply;
  const std::string index = index_of(request.index());

  // 1. Parse everything first: a bad document refuses the whole request
  //    before any node hears of it (a clean "fail" for the client).
  std::vector<ClientDocument> docs(request.documents_size());
  for (int i = 0; i < request.documents_size(); ++i) {
    DocumentError err;
    if (!parse_client_document(request.documents(i), i, &docs[i], &err)) {
      reply.set_error_code(err.code);
      reply.set_error_message(err.message);
      return reply;
    }
  }

  // 2. Route: one request per target node, holding the documents of every
  //    shard that node is a write target of.
  //    Routed with one pinned topology epoch, dual-write targets included.
  const auto route = topology_.route_write();
  Calls calls;
  Extras extras;
  std::set<uint32_t> shards_touched;
  const auto stamp = stamp_updated_at_ ? std::optional<int64_t>(unix_ms_now()) : std::nullopt;
  for (const auto& d : docs) {
    uint32_t shard = topology_.shard_of(d.id);
    shards_touched.insert(shard);
    std::string json = stored_json(d, shard, stamp);
    for (int node : targets(**route, shard, extras)) {
      auto& req = request_for<NodeWriteRequest>(calls, node, index);
      req.set_merge(request.merge());
      auto* nd = req.add_documents();
      nd->set_id(d.id);
      nd->set_json(json);
    }
  }

  fan_out(calls);
  return decide(calls, shards_touched, **route, extras);
}

WriteReply WritePath::delete_documents(const DeleteRequest& request) {
  WriteReply reply;
  const std::string index = index_of(request.index());
  for (int i = 0; i < request.ids_size(); ++i) {
    DocumentError err;
    if (!check_client_id(request.ids(i), i, &err)) {
      reply.set_error_code(err.code);
      reply.set_error_message(err.message);
      return reply;
    }
  }

  // Each id goes to every write target of its shard, like a write.
  const auto route = topology_.route_write();
  Calls calls;
  Extras extras;
  std::set<uint32_t> shards_touched;
  for (const auto& id : request.ids()) {
    uint32_t shard = topology_.shard_of(id);
    shards_touched.insert(shard);
    for (int node : targets(**route, shard, extras))
      request_for<NodeDeleteRequest>(calls, node, index).add_ids(id);
  }

  fan_out(calls);
  return decide(calls, shards_touched, **route, extras);
}

void WritePath::fan_out(Calls& calls) {
  {
    CallGroup group;
    for (auto& [node, call] : calls) {
      if (bugs_.retry_cache_aba) {
        const auto& msg = call->message();
        call->body = RetryCache::body_of(msg);
        if (auto cached = retry_cache_.find(node, msg.GetTypeName(), call->body)) {
          call->reply = *cached;
          call->status = grpc::Status::OK;
          call->from_cache = true;
          continue;
        }
      }
      set_deadline(call->ctx, kNodeWriteTimeout);
      auto* stub = nodes_.stub(node).async();
      std::visit([&](const auto& req) { start(stub, call.get(), req, group.expect(&call->status)); },
                 call->request);
    }
    group.wait();
  }
  if (bugs_.retry_cache_aba)
    for (auto& [node, call] : calls)
      if (!call->from_cache && call->acked())
        retry_cache_.remember(node, call->message().GetTypeName(), call->body, call->reply);
}

WriteReply WritePath::decide(const Calls& calls, const std::set<uint32_t>& shards, const TopologySnapshot& route,
                             const Extras& extras) {
  WriteReply reply;
  uint32_t acked = 0, rejected = 0;
  std::vector<NodeTaskRef> refs;
  std::set<int> quorum_targets;  // a node only dual-written is not in the task map
  for (uint32_t shard : shards)
    for (int node : route.write_targets(shard)) quorum_targets.insert(node);
  for (const auto& [node, call] : calls) {
    if (call->acked()) {
      ++acked;
      if (quorum_targets.count(node))
        refs.push_back(NodeTaskRef{topology_.node_name(node), call->reply.task_uid()});
    } else if (call->rejected()) {
      ++rejected;
      MIROIR_LOG(warn, "orchestrator") << topology_.node_name(node) << " refused a "
                                      << call->message().GetTypeName() << ": "
                                      << call->reply.error_code() << " " << call->reply.error_message();
    }
  }
  // The counters stay honest under --bug ack-any-status: a refusal is counted
  // as rejected even when the quorum below takes it for an acknowledgement.
  reply.set_targets(static_cast<uint32_t>(calls.size()));
  reply.set_acked(acked);
  reply.set_rejected(rejected);

  // Design: only an enqueue counts. ack-any-status: any answer does, so a
  // refusing node (which stored nothing and has no task to follow) helps a
  // group reach quorum and the task can succeed without its copy.
  auto counts = [&](const NodeCall& c) { return bugs_.ack_any_status ? c.status.ok() : c.acked(); };

  // Two-rule quorum, per shard touched.
  std::set<uint32_t> degraded_groups, degraded_shards, failed_shards;
  for (uint32_t shard : shards) {
    bool any_group = false;
    for (uint32_t g = 0; g < topology_.groups(); ++g) {
      uint32_t acks = 0;
      for (int node : route.write_owners(g, shard))
        if (counts(*calls.at(node))) ++acks;
      if (acks >= topology_.quorum()) {
        any_group = true;
      } else {
        degraded_groups.insert(g);
        degraded_shards.insert(shard);
      }
    }
    if (!any_group) failed_shards.insert(shard);
  }
  for (auto g : degraded_groups) reply.add_degraded_groups(g);
  for (auto s : degraded_shards) reply.add_degraded_shards(s);

  if (!failed_shards.empty()) {
    reply.set_error_code("miroir_no_quorum");
    reply.set_error_message("no replica group reached quorum (" + std::to_string(topology_.quorum()) +
                            " of " + std::to_string(topology_.rf()) + ") for shard(s) " +
                            join(failed_shards));
    return reply;
  }
  reply.set_degraded(!degraded_groups.empty());

  // Durable task map, then the answer.
  std::string task_id = TaskStore::new_task_id();
  std::vector<InflightRecord> inflight;
  for (const auto& [node, migrations] : extras) {
    const auto& call = *calls.at(node);
    for (const auto& m : migrations) {
      InflightRecord r;
      r.migration = m;
      r.task_id = task_id;
      r.node = topology_.node_name(node);
      r.refused = !call.acked();
      r.uid = call.acked() ? call.reply.task_uid() : 0;
      inflight.push_back(std::move(r));
    }
  }
  tasks_.put(task_id, refs, inflight);
  reply.set_task_id(task_id);
  return reply;
}

}  // namespace miroir::orchestrator
