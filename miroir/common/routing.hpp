// Routing of miroir: which shard a document belongs to and which nodes own a
// shard. Byte-compatible with upstream (Rust) so that the golden vectors in
// shared/data/routing/golden_vectors.txt reproduce; every orchestrator, the
// harness and the checkers must agree on these functions, so they live in one
// small library with no other dependency than libxxhash.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace miroir {

// XXH64(seed 0, utf8(pk) ‖ 0xFF) mod S. The trailing 0xFF is how Rust's Hash
// for str terminates a string; without it upstream's fixtures do not match.
uint64_t key_hash(std::string_view primary_key);
uint32_t shard_for_key(std::string_view primary_key, uint32_t shards);

// Rendezvous score of `node` for `shard`: XXH64(seed 0, le32(shard) ‖ utf8(node) ‖ 0xFF).
uint64_t score(uint32_t shard, std::string_view node);

// The owners of `shard` among one group's nodes: sorted by score descending,
// ties by node id ascending (bytewise), the first rf (all when fewer).
std::vector<std::string> owners(uint32_t shard, const std::vector<std::string>& group_nodes,
                                uint32_t rf);

// Owners in group 0, then group 1, ... (RG × RF nodes).
std::vector<std::string> write_targets(uint32_t shard,
                                       const std::vector<std::vector<std::string>>& groups,
                                       uint32_t rf);

// The node of one group a search asks for each shard 0..S-1, for query
// counter q: take the shard's owners, start at index q mod rf, pick the first
// owner not already picked for an earlier shard (scanning on, wrapping), else
// the start one. Element s is shard s's pick (empty when the group has no
// node). A search needs this, not only the covering set: each picked node is
// asked for exactly the shards it was picked for.
std::vector<std::string> covering_picks(uint32_t shards, const std::vector<std::string>& group_nodes,
                                        uint32_t rf, uint64_t q);

// The nodes of one group a search fans out to: the distinct covering_picks,
// in the order they were first made.
std::vector<std::string> covering_set(uint32_t shards, const std::vector<std::string>& group_nodes,
                                      uint32_t rf, uint64_t q);

}  // namespace miroir
