// Finding the harness's final steps in a history (the migration workload
// records "migrations", "anti-entropy" and "inspect" as operations).
#pragma once
#include <string>

#include "checker/history.hpp"

namespace eclat {

// The last successful client-side operation `f`, or null.
inline const Op* last_ok(const History& h, const std::string& f) {
  for (auto it = h.rbegin(); it != h.rend(); ++it)
    if (!it->is_nemesis() && it->type == OpType::ok && it->f == f) return &*it;
  return nullptr;
}

}  // namespace eclat
