// `--bug retry-cache-aba`: upstream remembers, per node, the reply to each
// recent request under a hash of the request body, and a request whose body
// hashes the same within 60 s is answered from that memory instead of being
// sent again. Meant to make retries idempotent, it also swallows a legitimate
// repeat: writing v1, v2, v1 to a key sends v1 and v2, the second v1 "succeeds"
// with the first one's reply, and the node keeps v2.
//
// The body is the request as the client made it: the orchestrator's own
// `_miroir_updated_at` stamp (anti-entropy on, the default) is left out of it
// (body_of), else no two requests would ever hash alike and the control
// would never fire.
//
// Only acknowledged enqueues are remembered (a refusal or a transport error
// is retried for real). Entries expire after the window; memory is bounded by
// the requests of the last window.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "miroir.pb.h"

namespace miroir::orchestrator {

class RetryCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RetryCache(std::chrono::milliseconds window = std::chrono::seconds(60));

  // The remembered reply to the same `body` of the same `kind` sent to `node`
  // less than a window ago. `kind` keeps different RPCs with byte-identical
  // bodies apart (the request type's name).
  std::optional<NodeEnqueueReply> find(int node, std::string_view kind, const std::string& body,
                                       Clock::time_point now = Clock::now());
  void remember(int node, std::string_view kind, const std::string& body,
                const NodeEnqueueReply& reply, Clock::time_point now = Clock::now());
  size_t size();

  // The body a request is remembered under: its serialized bytes, with
  // `_miroir_updated_at` removed from every document of a write.
  static std::string body_of(const google::protobuf::Message& request);

 private:
  struct Entry {
    NodeEnqueueReply reply;
    Clock::time_point at;
  };
  struct PerNode {
    std::unordered_map<uint64_t, Entry> entries;     // hash(kind, body) -> reply
    std::deque<std::pair<Clock::time_point, uint64_t>> order;  // insertion order, for expiry
  };
  static uint64_t key(std::string_view kind, const std::string& body);
  void expire(PerNode& p, Clock::time_point now);

  const std::chrono::milliseconds window_;
  std::mutex mu_;
  std::vector<PerNode> nodes_;  // grown on demand, indexed by node
};

}  // namespace miroir::orchestrator
