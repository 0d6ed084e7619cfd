#include "miroir/node/fingerprint.hpp"

#include <xxhash.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace miroir::node {

void ShardFingerprint::FreeState::operator()(XXH64_state_s* s) const { XXH64_freeState(s); }

ShardFingerprint::ShardFingerprint() : state_(XXH64_createState()) {
  if (!state_ || XXH64_reset(state_.get(), 0) != XXH_OK)
    throw std::runtime_error("fingerprint: cannot create an XXH64 state");
}

ShardFingerprint::~ShardFingerprint() = default;

void ShardFingerprint::add(std::string_view id, std::string_view json) {
  static const char kSeparator = '\0';
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  // A document this node could not parse is hashed as stored: it still differs
  // from a well-formed copy, which is what a fingerprint must show.
  std::string canonical = doc.is_discarded() ? std::string(json) : doc.dump();
  XXH64_update(state_.get(), id.data(), id.size());
  XXH64_update(state_.get(), &kSeparator, 1);
  XXH64_update(state_.get(), canonical.data(), canonical.size());
  XXH64_update(state_.get(), &kSeparator, 1);
  ++documents_;
}

uint64_t ShardFingerprint::digest() const { return XXH64_digest(state_.get()); }

}  // namespace miroir::node
