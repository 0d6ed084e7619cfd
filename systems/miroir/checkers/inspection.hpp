// Finding the harness's final steps in a history (the migration workload
// records "migrations", "anti-entropy" and "inspect" as operations).
#pragma once
#include <map>
#include <set>
#include <string>

#include "history/history.hpp"

namespace eclat {

// The last successful client-side operation `f`, or null.
inline const Op* last_ok(const History& h, const std::string& f) {
  for (auto it = h.rbegin(); it != h.rend(); ++it)
    if (!it->is_nemesis() && it->type == OpType::ok && it->f == f) return &*it;
  return nullptr;
}

// The value of the last successful "inspect" (an object), or null.
inline const nlohmann::json* final_inspection(const History& h) {
  const Op* op = last_ok(h, "inspect");
  return op && op->value.is_object() ? &op->value : nullptr;
}

// The final inspection's routes as shard -> its owners in every group.
inline std::map<uint32_t, std::set<std::string>> owners_by_shard(const nlohmann::json& inspection) {
  std::map<uint32_t, std::set<std::string>> owners;
  for (const auto& route : inspection.value("routes", nlohmann::json::array()))
    for (const auto& o : route.value("owners", nlohmann::json::array()))
      owners[route.value("shard", 0u)].insert(o.get<std::string>());
  return owners;
}

}  // namespace eclat
