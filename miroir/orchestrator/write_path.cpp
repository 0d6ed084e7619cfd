#include "miroir/orchestrator/write_path.hpp"

#include <map>
#include <set>
#include <sstream>

#include "core/log.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

namespace {

// One node write and what became of it.
struct NodeCall {
  int node = -1;
  NodeWriteRequest request;
  NodeEnqueueReply reply;
  grpc::ClientContext ctx;
  grpc::Status status;
  bool acked() const { return status.ok() && reply.error_code().empty(); }
  bool rejected() const { return status.ok() && !reply.error_code().empty(); }
};

std::string join(const std::set<uint32_t>& xs) {
  std::ostringstream o;
  for (auto it = xs.begin(); it != xs.end(); ++it) o << (it == xs.begin() ? "" : ", ") << *it;
  return o.str();
}

}  // namespace

WritePath::WritePath(const Topology& topology, NodeClients& nodes, TaskStore& tasks)
    : topology_(topology), nodes_(nodes), tasks_(tasks) {}

WriteReply WritePath::add_documents(const WriteRequest& request) {
  WriteReply reply;
  const std::string& index = request.index().empty() ? topology_.config().index : request.index();

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
  std::map<int, std::unique_ptr<NodeCall>> calls;
  std::set<uint32_t> shards_touched;
  for (const auto& d : docs) {
    uint32_t shard = topology_.shard_of(d.id);
    shards_touched.insert(shard);
    std::string json = stored_json(d, shard);
    for (int node : topology_.write_targets(shard)) {
      auto& call = calls[node];
      if (!call) {
        call = std::make_unique<NodeCall>();
        call->node = node;
        call->request.set_index(index);
      }
      auto* nd = call->request.add_documents();
      nd->set_id(d.id);
      nd->set_json(json);
    }
  }

  // 3. Fan out in parallel, each call bounded by the write deadline.
  {
    CallGroup group;
    for (auto& [node, call] : calls) {
      set_deadline(call->ctx, kNodeWriteTimeout);
      nodes_.stub(node).async()->AddDocuments(&call->ctx, &call->request, &call->reply,
                                             group.expect(&call->status));
    }
    group.wait();
  }

  uint32_t acked = 0, rejected = 0;
  std::vector<NodeTaskRef> refs;
  for (auto& [node, call] : calls) {
    if (call->acked()) {
      ++acked;
      refs.push_back(NodeTaskRef{topology_.node_name(node), call->reply.task_uid()});
    } else if (call->rejected()) {
      ++rejected;
      ECLAT_LOG(warn, "orchestrator") << topology_.node_name(node) << " refused a write: "
                                      << call->reply.error_code() << " " << call->reply.error_message();
    }
  }
  reply.set_targets(static_cast<uint32_t>(calls.size()));
  reply.set_acked(acked);
  reply.set_rejected(rejected);

  // 4. Two-rule quorum, per shard touched.
  std::set<uint32_t> degraded_groups, degraded_shards, failed_shards;
  for (uint32_t shard : shards_touched) {
    bool any_group = false;
    for (uint32_t g = 0; g < topology_.groups(); ++g) {
      uint32_t acks = 0;
      for (int node : topology_.owners(g, shard))
        if (calls.at(node)->acked()) ++acks;
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

  // 5. Durable task map, then the answer.
  std::string task_id = TaskStore::new_task_id();
  tasks_.put(task_id, refs);
  reply.set_task_id(task_id);
  return reply;
}

}  // namespace miroir::orchestrator
