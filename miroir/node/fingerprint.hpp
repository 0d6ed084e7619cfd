// The digest of one shard's copy for anti-entropy (proto
// NodeFingerprintRequest): documents folded in primary key order into one
// streaming XXH64 (seed 0) over  id ‖ 0x00 ‖ canonical JSON ‖ 0x00,  the
// canonical JSON being nlohmann's dump of the parsed document (keys sorted,
// numbers re-spelled), so copies holding the same documents agree whatever
// order the writes came in and however a client spaced its JSON.
//
// BucketedFingerprint adds B bucket digests: bucket b folds, the same way and
// in the same order, only the documents whose key_hash(id) mod B is b
// (routing's key_hash, so the orchestrator can tell which bucket a key is
// in). Each document is parsed once for the whole digest and its bucket.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct XXH64_state_s;

namespace miroir::node {

// Most buckets a Fingerprint request may ask for (each is one XXH64 state).
inline constexpr uint32_t kMaxFingerprintBuckets = 65536;

// nlohmann's dump of the parsed document; text that does not parse is
// returned as stored (it still differs from a well-formed copy, which is
// what a fingerprint must show).
std::string canonical_json(std::string_view json);

class ShardFingerprint {
 public:
  ShardFingerprint();
  ~ShardFingerprint();
  ShardFingerprint(ShardFingerprint&&) noexcept;
  ShardFingerprint& operator=(ShardFingerprint&&) noexcept;
  ShardFingerprint(const ShardFingerprint&) = delete;
  ShardFingerprint& operator=(const ShardFingerprint&) = delete;

  // Call in primary key order (Store::scan of one shard does).
  void add(std::string_view id, std::string_view json) { add_canonical(id, canonical_json(json)); }
  // The same with the canonical JSON already made.
  void add_canonical(std::string_view id, std::string_view canonical);
  uint64_t digest() const;
  uint64_t documents() const { return documents_; }

 private:
  struct FreeState {
    void operator()(XXH64_state_s* s) const;
  };
  std::unique_ptr<XXH64_state_s, FreeState> state_;
  uint64_t documents_ = 0;
};

// The whole digest plus `buckets` bucket digests (0: the whole digest only).
// Throws std::invalid_argument when buckets > kMaxFingerprintBuckets.
class BucketedFingerprint {
 public:
  explicit BucketedFingerprint(uint32_t buckets);
  // Call in primary key order.
  void add(std::string_view id, std::string_view json);
  const ShardFingerprint& whole() const { return whole_; }
  const std::vector<ShardFingerprint>& buckets() const { return buckets_; }

 private:
  ShardFingerprint whole_;
  std::vector<ShardFingerprint> buckets_;
};

}  // namespace miroir::node
