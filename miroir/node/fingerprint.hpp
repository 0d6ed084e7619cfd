// The digest of one shard's copy for anti-entropy (proto
// NodeFingerprintRequest): documents folded in primary key order into one
// streaming XXH64 (seed 0) over  id ‖ 0x00 ‖ canonical JSON ‖ 0x00,  the
// canonical JSON being nlohmann's dump of the parsed document (keys sorted,
// numbers re-spelled), so copies holding the same documents agree whatever
// order the writes came in and however a client spaced its JSON.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>

struct XXH64_state_s;

namespace miroir::node {

class ShardFingerprint {
 public:
  ShardFingerprint();
  ~ShardFingerprint();
  ShardFingerprint(const ShardFingerprint&) = delete;
  ShardFingerprint& operator=(const ShardFingerprint&) = delete;

  // Call in primary key order (Store::scan of one shard does).
  void add(std::string_view id, std::string_view json);
  uint64_t digest() const;
  uint64_t documents() const { return documents_; }

 private:
  struct FreeState {
    void operator()(XXH64_state_s* s) const;
  };
  std::unique_ptr<XXH64_state_s, FreeState> state_;
  uint64_t documents_ = 0;
};

}  // namespace miroir::node
