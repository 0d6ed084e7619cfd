// Key encodings shared by the LMDB store and the in-memory store, so both
// order documents identically (offset pagination must page the same way).
//   document:     index ‖ 0x00 ‖ id
//   shard entry:  index ‖ 0x00 ‖ be32(shard) ‖ id   (a shard is a contiguous, id-sorted range)
//   shard count:  index ‖ 0x00 ‖ be32(shard)
//   task:         be64(uid)                          (uid order = byte order)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace miroir::node::keys {

inline void append_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline uint64_t read_be(std::string_view s) {
  uint64_t v = 0;
  for (unsigned char c : s) v = (v << 8) | c;
  return v;
}

inline std::string document(std::string_view index, std::string_view id) {
  std::string k;
  k.reserve(index.size() + 1 + id.size());
  k.append(index).push_back('\0');
  k.append(id);
  return k;
}

inline std::string shard_prefix(std::string_view index, uint32_t shard) {
  std::string k;
  k.reserve(index.size() + 5);
  k.append(index).push_back('\0');
  append_be(k, shard, 4);
  return k;
}

inline std::string shard_entry(std::string_view index, uint32_t shard, std::string_view id) {
  std::string k = shard_prefix(index, shard);
  k.append(id);
  return k;
}

inline std::string task(uint64_t uid) {
  std::string k;
  append_be(k, uid, 8);
  return k;
}

// Split a document key back into (index, id).
inline std::pair<std::string_view, std::string_view> split_document(std::string_view key) {
  auto nul = key.find('\0');
  if (nul == std::string_view::npos) return {key, {}};
  return {key.substr(0, nul), key.substr(nul + 1)};
}

}  // namespace miroir::node::keys
