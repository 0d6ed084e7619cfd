// convergence: after the final anti-entropy pass every copy of a shard is
// equal. Judged from the final "inspect" operation: for each shard, the
// digests (XXH64 over the documents, node Fingerprint) of all its owners in
// every group must be equal; an owner holding nothing counts as the empty
// copy. Unknown without an inspection or when an owner did not answer. With
// anti-entropy off (the history's pass says ran = false) differences are
// reported but not judged.
#include <set>

#include "checker/checker.hpp"
#include "systems/miroir/checkers/inspection.hpp"

namespace eclat {
namespace {

class Convergence : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    CheckResult r;
    const nlohmann::json* inspection = final_inspection(ctx.history.ops());
    if (!inspection) {
      r.summary = "no inspection of the nodes in the history";
      return r;
    }
    const auto& v = *inspection;
    const auto& nodes = v.value("nodes", nlohmann::json::object());
    const auto owners = owners_by_shard(v);
    nlohmann::json differing = nlohmann::json::array();
    bool unknown = false;
    size_t compared = 0;
    for (const auto& [shard, names] : owners) {
      std::map<std::string, nlohmann::json> copies;  // node -> {documents, digest}
      for (const auto& n : names) {
        if (!nodes.contains(n) || !nodes[n].value("reachable", false)) {
          unknown = true;
          continue;
        }
        const auto& shards = nodes[n]["shards"];
        const std::string key = std::to_string(shard);
        copies[n] = shards.contains(key) ? shards[key] : nlohmann::json{{"documents", 0}, {"digest", "empty"}};
      }
      if (copies.size() < 2) continue;
      ++compared;
      std::set<std::string> digests;
      for (const auto& [_, c] : copies) digests.insert(c.value("digest", ""));
      if (digests.size() > 1) differing.push_back({{"shard", shard}, {"copies", copies}});
    }
    r.details = {{"shards_compared", compared}, {"differing", differing}};
    if (const Op* pass = last_ok(ctx.history.ops(), "anti-entropy")) r.details["anti_entropy"] = pass->value;
    const Op* ae = last_ok(ctx.history.ops(), "anti-entropy");
    if (ae && ae->value.is_object() && !ae->value.value("ran", true)) {
      // Without anti-entropy nothing promises convergence (a copy that was
      // down keeps missing what it missed): shown, not judged.
      r.valid = Verdict::valid;
      r.summary = "not judged (anti-entropy off): " + std::to_string(differing.size()) + " of " +
                  std::to_string(compared) + " replicated shards differ";
    } else if (!differing.empty()) {
      r.valid = Verdict::invalid;
      r.summary = std::to_string(differing.size()) + " of " + std::to_string(compared) +
                  " replicated shards have copies that differ";
    } else if (unknown) {
      r.valid = Verdict::unknown;
      r.summary = "some owners did not answer the inspection";
    } else {
      r.valid = Verdict::valid;
      r.summary = compared == 0 ? "no shard has more than one copy"
                                : "all copies equal in " + std::to_string(compared) + " replicated shards";
    }
    return r;
  }
};

const bool registered = register_checker({.name = "convergence", .doc = "every replica of a shard holds the same documents (digests equal) after anti-entropy"},
                                          [] { return std::make_unique<Convergence>(); });

}  // namespace
}  // namespace eclat
