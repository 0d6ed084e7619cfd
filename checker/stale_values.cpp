// stale-values: for versioned keys (the migration workload's overwrites, one
// writer per key, versions increasing), the final value must not be older
// than the newest acknowledged version: a migration's copy that wrote an old
// version over a newer write (miroir.md, "Hazards") shows up here. Per key:
//   fresh      final version >= the newest acknowledged one
//   late       older, but its own write was indeterminate (info): it may
//              legally have taken effect after the newer one
//   stale      older, and its own write was acknowledged or never made
//   lost       no final value although a version was acknowledged
//   failed     the final version's write failed (certainly not applied)
// Valid unless some key is stale, lost or failed. Unknown when no key was
// read at the end.
#include <map>

#include "checker/checker.hpp"

namespace eclat {
namespace {

class StaleValues : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    struct Key {
      int64_t newest_ok = 0;
      std::map<int64_t, OpType> outcome;  // version -> how its write ended
      bool read = false;
      nlohmann::json final_value;
    };
    std::map<std::string, Key> keys;
    std::map<int64_t, const Op*> open;  // process -> invocation
    for (const Op& op : ctx.history.ops()) {
      if (op.is_nemesis() || !op.key) continue;
      if (op.type == OpType::invoke) {
        open[op.process] = &op;
        continue;
      }
      auto it = open.find(op.process);
      if (it == open.end()) continue;
      const Op& inv = *it->second;
      open.erase(it);
      Key& k = keys[*op.key];
      if (inv.f == "overwrite" && inv.value.is_number_integer()) {
        const int64_t v = inv.value.get<int64_t>();
        k.outcome[v] = op.type;
        if (op.type == OpType::ok) k.newest_ok = std::max(k.newest_ok, v);
      } else if (inv.f == "read" && op.type == OpType::ok) {
        k.read = true;
        k.final_value = op.value;  // the last read wins: the final phase reads last
      }
    }
    nlohmann::json per_key = nlohmann::json::object();
    std::map<std::string, int> counts;
    bool any_read = false;
    for (const auto& [name, k] : keys) {
      if (k.outcome.empty()) continue;  // not a versioned key
      std::string verdict;
      if (!k.read) {
        verdict = "unread";
      } else if (k.final_value.is_null()) {
        verdict = k.newest_ok > 0 ? "lost" : "fresh";
      } else if (!k.final_value.is_number_integer()) {
        verdict = "stale";
      } else {
        const int64_t f = k.final_value.get<int64_t>();
        auto o = k.outcome.find(f);
        if (o != k.outcome.end() && o->second == OpType::fail) verdict = "failed";
        else if (f >= k.newest_ok) verdict = "fresh";
        else if (o != k.outcome.end() && o->second == OpType::info) verdict = "late";
        else verdict = "stale";
      }
      any_read = any_read || k.read;
      ++counts[verdict];
      per_key[name] = {{"verdict", verdict}, {"final", k.final_value}, {"newest_acknowledged", k.newest_ok},
                       {"versions_written", k.outcome.size()}};
    }
    CheckResult r;
    r.details = {{"keys", per_key}, {"counts", counts}};
    int bad = 0;
    for (const char* v : {"stale", "lost", "failed"})
      if (counts.count(v)) bad += counts.at(v);
    if (per_key.empty() || !any_read) {
      r.valid = Verdict::unknown;
      r.summary = per_key.empty() ? "no versioned key in the history" : "no versioned key was read at the end";
    } else if (bad > 0) {
      r.valid = Verdict::invalid;
      r.summary = std::to_string(bad) + " of " + std::to_string(per_key.size()) +
                  " versioned keys end older than their newest acknowledged write (stale, lost or failed)";
    } else {
      r.valid = Verdict::valid;
      r.summary = "every one of " + std::to_string(per_key.size()) + " versioned keys ends at or after its newest acknowledged version";
    }
    return r;
  }
};

const bool registered = register_checker({.name = "stale-values", .doc = "keys whose final value is older than their newest acknowledged write"},
                                          [] { return std::make_unique<StaleValues>(); });

}  // namespace
}  // namespace eclat
