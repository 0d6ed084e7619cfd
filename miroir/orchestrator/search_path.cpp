#include "miroir/orchestrator/search_path.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "miroir/common/log.hpp"
#include "miroir/common/grpc_options.hpp"
#include "miroir/common/routing.hpp"
#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

namespace {

// One node asked for some shards, and its answer.
struct NodeSearch {
  int node = -1;
  std::vector<uint32_t> shards;
  NodeSearchRequest request;
  NodeSearchReply reply;
  grpc::ClientContext ctx;
  grpc::Status status;
};

// Where one shard stands during a search.
struct ShardState {
  int node = -1;              // the owner asked in the current round
  std::vector<int> fallbacks; // owners to try next, in order
  size_t next = 0;
};

std::string join(const std::vector<uint32_t>& xs) {
  std::ostringstream o;
  for (size_t i = 0; i < xs.size(); ++i) o << (i ? ", " : "") << xs[i];
  return o.str();
}

}  // namespace

SearchPath::SearchPath(const Topology& topology, NodeClients& nodes, const NodeStates& states,
                       UnavailableShards policy)
    : topology_(topology), nodes_(nodes), states_(states), policy_(policy) {}

std::shared_ptr<const SearchPath::Picks> SearchPath::picks_for(const TopologySnapshot& topology) {
  std::lock_guard lock(picks_mu_);
  if (picks_ && picks_epoch_ == topology.epoch()) return picks_;
  // routing's covering_picks over the explicit owner table: for each shard,
  // start at owner q mod RF, take the first owner not picked yet, else the
  // start one (owners are in rendezvous order, so before any migration this
  // is exactly covering_picks over the group's nodes).
  const uint32_t rf = std::max<uint32_t>(1, topology.rf());
  auto picks = std::make_shared<Picks>(topology.groups());
  for (uint32_t g = 0; g < topology.groups(); ++g)
    for (uint32_t r = 0; r < rf; ++r) {
      std::vector<int> by_shard(topology.shards(), -1);
      std::set<int> picked;
      for (uint32_t s = 0; s < topology.shards(); ++s) {
        const auto& o = topology.owners(g, s);
        if (o.empty()) continue;
        const size_t start = r % o.size();
        int choice = o[start];
        for (size_t k = 0; k < o.size(); ++k)
          if (!picked.count(o[(start + k) % o.size()])) {
            choice = o[(start + k) % o.size()];
            break;
          }
        picked.insert(choice);
        by_shard[s] = choice;
      }
      (*picks)[g].push_back(std::move(by_shard));
    }
  picks_ = std::move(picks);
  picks_epoch_ = topology.epoch();
  return picks_;
}

std::vector<int> SearchPath::fallbacks(const TopologySnapshot& topology, uint32_t group, uint32_t shard,
                                       int first) {
  std::vector<int> out;
  for (uint32_t k = 0; k < topology.groups(); ++k) {
    uint32_t g = (group + k) % topology.groups();
    for (int n : topology.owners(g, shard))
      if (n != first && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

SearchReply SearchPath::search(const SearchRequest& request) {
  SearchReply reply;
  const std::string& index = request.index().empty() ? topology_.config().index : request.index();
  const uint32_t limit = request.limit() == 0 ? kDefaultSearchLimit : request.limit();
  const uint64_t window = std::min<uint64_t>(uint64_t{request.offset()} + limit, kMaxSearchWindow);
  const uint64_t q = counter_.fetch_add(1);
  const uint32_t group = static_cast<uint32_t>(q % topology_.groups());
  const auto topology = topology_.current();
  const auto all_picks = picks_for(*topology);
  const auto& picks = (*all_picks)[group][q % (*all_picks)[group].size()];
  reply.set_group(group);

  std::vector<std::string> facets;
  for (const auto& f : request.facets())
    if (!is_reserved_field(f)) facets.push_back(f);  // not a client field

  // 1. Every shard starts on its covering pick.
  std::vector<ShardState> shards(topology_.shards());
  std::vector<uint32_t> pending, unavailable;
  std::vector<int> failed;  // nodes that did not answer during this search
  auto advance = [&](uint32_t s) {  // next owner not known to have failed
    auto& st = shards[s];
    while (st.next < st.fallbacks.size() &&
           std::find(failed.begin(), failed.end(), st.fallbacks[st.next]) != failed.end())
      ++st.next;
    if (st.next >= st.fallbacks.size()) return false;
    st.node = st.fallbacks[st.next++];
    return true;
  };
  for (uint32_t s = 0; s < topology_.shards(); ++s) {
    shards[s].node = picks[s];
    shards[s].fallbacks = fallbacks(*topology, group, s, picks[s]);
    // A pick the health prober knows down (e.g. cut off: each call would
    // cost a whole read deadline) is asked last, after the owners that are up.
    auto& fb = shards[s].fallbacks;
    if (shards[s].node >= 0 && states_.known_down(shards[s].node)) {
      auto up = std::find_if(fb.begin(), fb.end(), [&](int n) { return !states_.known_down(n); });
      if (up != fb.end()) {
        const int alternative = *up;
        fb.erase(up);
        fb.push_back(shards[s].node);
        shards[s].node = alternative;
      }
    }
    if (shards[s].node >= 0 || advance(s))
      pending.push_back(s);
    else
      unavailable.push_back(s);
  }

  // 2-3. Rounds: ask each node for its pending shards in parallel; the shards
  // of a node that did not answer move to their next owner.
  std::vector<std::unique_ptr<NodeSearch>> answered;
  std::string last_error;
  while (!pending.empty()) {
    std::vector<std::unique_ptr<NodeSearch>> calls;  // in order of first shard
    for (uint32_t s : pending) {
      auto it = std::find_if(calls.begin(), calls.end(),
                             [&](const auto& c) { return c->node == shards[s].node; });
      if (it == calls.end()) {
        calls.push_back(std::make_unique<NodeSearch>());
        calls.back()->node = shards[s].node;
        it = calls.end() - 1;
      }
      (*it)->shards.push_back(s);
    }
    {
      CallGroup wait;
      for (auto& c : calls) {
        c->request.set_index(index);
        c->request.set_query(request.query());
        for (uint32_t s : c->shards) c->request.add_shards(s);
        c->request.set_limit(static_cast<uint32_t>(window));
        for (const auto& f : facets) c->request.add_facets(f);
        set_deadline(c->ctx, kNodeReadTimeout);
        nodes_.stub(c->node).async()->Search(&c->ctx, &c->request, &c->reply, wait.expect(&c->status));
      }
      wait.wait();
    }
    pending.clear();
    for (auto& c : calls) {
      if (c->status.ok()) {
        answered.push_back(std::move(c));
        continue;
      }
      last_error = topology_.node_name(c->node) + ": " + c->status.error_message();
      failed.push_back(c->node);
      for (uint32_t s : c->shards) {
        if (advance(s))
          pending.push_back(s);
        else
          unavailable.push_back(s);
      }
    }
    std::sort(pending.begin(), pending.end());
  }

  // 5. Shards nobody answered for.
  if (!unavailable.empty()) {
    std::sort(unavailable.begin(), unavailable.end());
    reply.set_degraded(true);
    for (uint32_t s : unavailable) reply.add_degraded_shards(s);
    MIROIR_LOG(warn, "orchestrator") << "search: no owner answered for shard(s) " << join(unavailable)
                                    << " (last error " << last_error << ")";
    if (policy_ == UnavailableShards::error) {
      reply.set_error_code("miroir_shard_unavailable");
      reply.set_error_message("no owner answered for shard(s) " + join(unavailable) + " (last error " +
                              last_error + ")");
      return reply;
    }
  }

  // 4. Merge.
  std::vector<const SearchHit*> hits;
  uint64_t total = 0;
  std::map<std::string, std::map<std::string, uint64_t>> facet_counts;
  for (const auto& c : answered) {
    total += c->reply.estimated_total_hits();
    for (const auto& h : c->reply.hits()) hits.push_back(&h);
    for (const auto& [field, counts] : c->reply.facet_distribution())
      for (const auto& [value, n] : counts.counts()) facet_counts[field][value] += n;
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit* a, const SearchHit* b) {
    if (a->ranking_score() != b->ranking_score()) return a->ranking_score() > b->ranking_score();
    return a->id() < b->id();
  });
  const size_t end = std::min<size_t>(hits.size(), window);
  for (size_t i = request.offset(); i < end; ++i) {
    auto* h = reply.add_hits();
    h->set_id(hits[i]->id());
    h->set_json(strip_reserved(hits[i]->json()));
    h->set_ranking_score(hits[i]->ranking_score());
    h->set_shard(hits[i]->shard());
  }
  reply.set_estimated_total_hits(total);
  for (const auto& f : facets) {
    auto& out = *(*reply.mutable_facet_distribution())[f].mutable_counts();
    for (const auto& [value, n] : facet_counts[f]) out[value] = n;
  }
  return reply;
}

}  // namespace miroir::orchestrator
