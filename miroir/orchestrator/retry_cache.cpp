#include "miroir/orchestrator/retry_cache.hpp"

#include <xxhash.h>

#include <nlohmann/json.hpp>

#include "miroir/orchestrator/documents.hpp"

namespace miroir::orchestrator {

RetryCache::RetryCache(std::chrono::milliseconds window) : window_(window) {}

uint64_t RetryCache::key(std::string_view kind, const std::string& body) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  XXH64_update(st, kind.data(), kind.size());
  const char sep = 0;
  XXH64_update(st, &sep, 1);
  XXH64_update(st, body.data(), body.size());
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}

void RetryCache::expire(PerNode& p, Clock::time_point now) {
  while (!p.order.empty() && now - p.order.front().first >= window_) {
    auto [at, k] = p.order.front();
    p.order.pop_front();
    // A key sent again later has a newer entry (and a newer order record):
    // only the entry this record stands for is removed.
    auto it = p.entries.find(k);
    if (it != p.entries.end() && it->second.at == at) p.entries.erase(it);
  }
}

std::optional<NodeEnqueueReply> RetryCache::find(int node, std::string_view kind,
                                                 const std::string& body, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (node < 0 || static_cast<size_t>(node) >= nodes_.size()) return std::nullopt;
  auto& p = nodes_[node];
  expire(p, now);
  auto it = p.entries.find(key(kind, body));
  if (it == p.entries.end()) return std::nullopt;
  return it->second.reply;
}

void RetryCache::remember(int node, std::string_view kind, const std::string& body,
                          const NodeEnqueueReply& reply, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (node < 0) return;
  if (static_cast<size_t>(node) >= nodes_.size()) nodes_.resize(node + 1);
  auto& p = nodes_[node];
  expire(p, now);
  uint64_t k = key(kind, body);
  p.entries[k] = Entry{reply, now};
  p.order.emplace_back(now, k);
}

std::string RetryCache::body_of(const google::protobuf::Message& request) {
  std::string body;
  if (const auto* write = dynamic_cast<const NodeWriteRequest*>(&request)) {
    NodeWriteRequest unstamped = *write;
    for (auto& d : *unstamped.mutable_documents()) {
      auto j = nlohmann::ordered_json::parse(d.json(), nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.erase(kUpdatedAtField) > 0) d.set_json(j.dump());
    }
    unstamped.SerializeToString(&body);
  } else {
    request.SerializeToString(&body);
  }
  return body;
}

size_t RetryCache::size() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& p : nodes_) n += p.entries.size();
  return n;
}

}  // namespace miroir::orchestrator
