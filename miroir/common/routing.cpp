#include "miroir/common/routing.hpp"

#include <xxhash.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace miroir {

namespace {
// The terminator Rust's `impl Hash for str` feeds after the bytes.
constexpr unsigned char kStrTerminator = 0xFF;
}  // namespace

uint64_t key_hash(std::string_view primary_key) {
  std::string buf;
  buf.reserve(primary_key.size() + 1);
  buf.append(primary_key);
  buf.push_back(static_cast<char>(kStrTerminator));
  return XXH64(buf.data(), buf.size(), 0);
}

uint32_t shard_for_key(std::string_view primary_key, uint32_t shards) {
  if (shards == 0) throw std::invalid_argument("shard_for_key: shard count must be >= 1");
  return static_cast<uint32_t>(key_hash(primary_key) % shards);
}

uint64_t score(uint32_t shard, std::string_view node) {
  std::string buf;
  buf.reserve(4 + node.size() + 1);
  // Little-endian u32, whatever the host order is.
  for (int i = 0; i < 4; ++i) buf.push_back(static_cast<char>((shard >> (8 * i)) & 0xFF));
  buf.append(node);
  buf.push_back(static_cast<char>(kStrTerminator));
  return XXH64(buf.data(), buf.size(), 0);
}

std::vector<std::string> owners(uint32_t shard, const std::vector<std::string>& group_nodes,
                                uint32_t rf) {
  std::vector<std::pair<uint64_t, const std::string*>> scored;
  scored.reserve(group_nodes.size());
  for (const auto& n : group_nodes) scored.emplace_back(score(shard, n), &n);
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return *a.second < *b.second;  // std::string compares bytewise (char_traits<char>)
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < rf; ++i) out.push_back(*scored[i].second);
  return out;
}

std::vector<std::string> write_targets(uint32_t shard,
                                       const std::vector<std::vector<std::string>>& groups,
                                       uint32_t rf) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    auto o = owners(shard, g, rf);
    out.insert(out.end(), o.begin(), o.end());
  }
  return out;
}

std::vector<std::string> covering_picks(uint32_t shards, const std::vector<std::string>& group_nodes,
                                        uint32_t rf, uint64_t q) {
  std::vector<std::string> picks(shards);
  std::unordered_set<std::string> picked;
  for (uint32_t s = 0; s < shards; ++s) {
    auto o = owners(s, group_nodes, rf);
    if (o.empty()) continue;
    size_t start = static_cast<size_t>(q % (rf == 0 ? 1 : rf)) % o.size();
    const std::string* choice = &o[start];
    for (size_t k = 0; k < o.size(); ++k) {
      const std::string& cand = o[(start + k) % o.size()];
      if (!picked.count(cand)) {
        choice = &cand;
        break;
      }
    }
    picked.insert(*choice);
    picks[s] = *choice;
  }
  return picks;
}

std::vector<std::string> covering_set(uint32_t shards, const std::vector<std::string>& group_nodes,
                                      uint32_t rf, uint64_t q) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (auto& pick : covering_picks(shards, group_nodes, rf, q))
    if (!pick.empty() && seen.insert(pick).second) out.push_back(std::move(pick));
  return out;
}

}  // namespace miroir
