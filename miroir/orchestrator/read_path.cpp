#include "miroir/orchestrator/read_path.hpp"

#include <algorithm>
#include <map>

#include "miroir/common/grpc_options.hpp"
#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

namespace {
constexpr uint32_t kDefaultPageSize = 1000;
constexpr uint32_t kMaxPageSize = 10000;
}  // namespace

ReadPath::ReadPath(const Topology& topology, NodeClients& nodes, const NodeStates& states,
                   UnavailableShards unavailable_shards, BugSwitches bugs)
    : topology_(topology),
      nodes_(nodes),
      states_(states),
      unavailable_shards_(unavailable_shards),
      bugs_(bugs) {}

GetReply ReadPath::get(const GetRequest& request) {
  GetReply reply;
  // --bug get-by-id-shard0: upstream asks the owners of shard 0 whatever the
  // id (a document of any other shard then reads as not found).
  const uint32_t shard = bugs_.get_by_id_shard0 ? 0 : topology_.shard_of(request.id());
  // One counter for both turns: group q mod RG, then replica (q / RG) mod
  // |owners|, so the replicas of every group take turns too (two counters
  // stepping together would pin each group to one replica when RG = RF).
  const uint64_t q = round_robin_.fetch_add(1);
  const uint32_t group = static_cast<uint32_t>(q % topology_.groups());
  const auto topology = topology_.current();
  const auto& owners = topology->owners(group, shard);
  const size_t turn = (q / topology_.groups()) % owners.size();
  int node = owners[turn];
  // Never a node known down while another owner of the group is up; if all
  // are down, the turn's owner is asked anyway (the prober may be behind).
  for (size_t i = 0; i < owners.size(); ++i) {
    int candidate = owners[(turn + i) % owners.size()];
    if (!states_.known_down(candidate)) {
      node = candidate;
      break;
    }
  }

  NodeGetRequest nreq;
  nreq.set_index(request.index().empty() ? topology_.config().index : request.index());
  nreq.set_id(request.id());
  NodeGetReply nrep;
  grpc::ClientContext ctx;
  set_deadline(ctx, kNodeReadTimeout);
  grpc::Status st = nodes_.stub(node).GetDocument(&ctx, nreq, &nrep);
  if (!st.ok()) {
    reply.set_error_code("miroir_shard_unavailable");
    reply.set_error_message("shard " + std::to_string(shard) + ": owner " + topology_.node_name(node) +
                            " unreachable: " + st.error_message());
    return reply;
  }
  reply.set_found(nrep.found());
  if (nrep.found()) reply.set_json(strip_reserved(nrep.json()));
  return reply;
}

// A shard nobody answered for: its error page, and whether listing stops.
bool ReadPath::unavailable(uint32_t shard, const std::string& why,
                           const std::function<bool(const ListPage&)>& emit) const {
  ListPage page;
  page.set_shard(shard);
  page.set_error_code("miroir_shard_unavailable");
  const bool stop = unavailable_shards_ == UnavailableShards::error;
  page.set_error_message("shard " + std::to_string(shard) + ": no owner answered (" + why + ")" +
                         (stop ? "; listing stopped (--unavailable-shards error)" : ""));
  return emit(page) && !stop;
}

bool ReadPath::page_of(int node, const std::string& index, uint32_t shard, uint64_t offset, uint32_t limit,
                       NodeListReply* reply, std::string* error) {
  NodeListRequest nreq;
  nreq.set_index(index);
  nreq.set_shard(shard);
  nreq.set_offset(offset);
  nreq.set_limit(limit);
  grpc::ClientContext ctx;
  set_deadline(ctx, kNodeReadTimeout);
  grpc::Status st = nodes_.stub(node).ListDocuments(&ctx, nreq, reply);
  if (!st.ok()) *error = topology_.node_name(node) + ": " + st.error_message();
  return st.ok();
}

void ReadPath::list(const ListRequest& request, const std::function<bool(const ListPage&)>& emit) {
  const std::string index = request.index().empty() ? topology_.config().index : request.index();
  const uint32_t limit =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  if (request.all_copies()) {
    list_all_copies(index, limit, emit);
    return;
  }

  const auto topology = topology_.current();
  for (uint32_t shard = 0; shard < topology_.shards(); ++shard) {
    const auto candidates = topology->read_targets(shard);
    size_t cand = 0;
    uint64_t offset = 0;
    bool emitted = false;
    std::string last_error;
    for (;;) {
      if (cand >= candidates.size()) {
        if (!unavailable(shard, last_error, emit)) return;
        break;
      }
      const int node = candidates[cand];
      NodeListReply nrep;
      if (!page_of(node, index, shard, offset, limit, &nrep, &last_error)) {
        // Continue on the next copy at the same offset (copies page alike
        // when they agree; when they do not, that is what anti-entropy is for).
        ++cand;
        continue;
      }
      const auto n = static_cast<uint64_t>(nrep.documents_size());
      if (n > 0 || !emitted) {  // an empty shard still shows up, once
        ListPage page;
        page.set_shard(shard);
        for (const auto& d : nrep.documents()) page.add_documents(strip_reserved(d.json()));
        if (!emit(page)) return;
        emitted = true;
      }
      offset += n;
      if (n < limit || offset >= nrep.total()) break;
    }
  }
}

// Every copy of a shard read to the end (a copy that fails half way counts
// as not answering, so divergence is judged on complete copies only), then
// the union by primary key, emitted in pages, each page saying how many of
// its documents some complete copy lacks.
void ReadPath::list_all_copies(const std::string& index, uint32_t limit,
                               const std::function<bool(const ListPage&)>& emit) {
  const auto topology = topology_.current();
  for (uint32_t shard = 0; shard < topology_.shards(); ++shard) {
    std::map<std::string, std::pair<std::string, uint32_t>> docs;  // id -> (json, copies holding it)
    uint32_t complete = 0;
    std::string last_error;
    for (int node : topology->copies(shard)) {
      std::vector<std::pair<std::string, std::string>> copy;
      bool ok = true;
      for (uint64_t offset = 0;;) {
        NodeListReply nrep;
        if (!page_of(node, index, shard, offset, limit, &nrep, &last_error)) {
          ok = false;
          break;
        }
        for (const auto& d : nrep.documents()) copy.emplace_back(d.id(), d.json());
        offset += static_cast<uint64_t>(nrep.documents_size());
        if (static_cast<uint32_t>(nrep.documents_size()) < limit || offset >= nrep.total()) break;
      }
      if (!ok) continue;
      ++complete;
      for (auto& [id, json] : copy) {
        auto [it, inserted] = docs.try_emplace(id, std::move(json), 0);
        ++it->second.second;
      }
    }
    if (complete == 0) {
      if (!unavailable(shard, last_error, emit)) return;
      continue;
    }
    auto it = docs.begin();
    do {  // an empty shard still shows up, once
      ListPage page;
      page.set_shard(shard);
      uint32_t divergent = 0;
      for (uint32_t n = 0; it != docs.end() && n < limit; ++it, ++n) {
        page.add_documents(strip_reserved(it->second.first));
        if (it->second.second < complete) ++divergent;
      }
      page.set_divergent(divergent);
      if (!emit(page)) return;
    } while (it != docs.end());
  }
}

}  // namespace miroir::orchestrator
