#include "miroir/node/fingerprint.hpp"

#include <xxhash.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "miroir/common/routing.hpp"

namespace miroir::node {

std::string canonical_json(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  return doc.is_discarded() ? std::string(json) : doc.dump();
}

void ShardFingerprint::FreeState::operator()(XXH64_state_s* s) const { XXH64_freeState(s); }

ShardFingerprint::ShardFingerprint() : state_(XXH64_createState()) {
  if (!state_ || XXH64_reset(state_.get(), 0) != XXH_OK)
    throw std::runtime_error("fingerprint: cannot create an XXH64 state");
}

ShardFingerprint::~ShardFingerprint() = default;
ShardFingerprint::ShardFingerprint(ShardFingerprint&&) noexcept = default;
ShardFingerprint& ShardFingerprint::operator=(ShardFingerprint&&) noexcept = default;

void ShardFingerprint::add_canonical(std::string_view id, std::string_view canonical) {
  static const char kSeparator = '\0';
  XXH64_update(state_.get(), id.data(), id.size());
  XXH64_update(state_.get(), &kSeparator, 1);
  XXH64_update(state_.get(), canonical.data(), canonical.size());
  XXH64_update(state_.get(), &kSeparator, 1);
  ++documents_;
}

uint64_t ShardFingerprint::digest() const { return XXH64_digest(state_.get()); }

BucketedFingerprint::BucketedFingerprint(uint32_t buckets) {
  if (buckets > kMaxFingerprintBuckets)
    throw std::invalid_argument("fingerprint: at most " + std::to_string(kMaxFingerprintBuckets) +
                                " buckets, not " + std::to_string(buckets));
  buckets_.resize(buckets);
}

void BucketedFingerprint::add(std::string_view id, std::string_view json) {
  const std::string canonical = canonical_json(json);
  whole_.add_canonical(id, canonical);
  if (!buckets_.empty()) buckets_[key_hash(id) % buckets_.size()].add_canonical(id, canonical);
}

}  // namespace miroir::node
