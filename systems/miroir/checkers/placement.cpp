// placement: after the migrations' cleanup every document lives only on its
// owners. Judged from the final "inspect" operation (read from the nodes
// directly): a node holding documents of a shard it does not own, in any
// group, is a misplacement (the old owner was never cleaned, or a write went
// there with stale routing). Unknown without an inspection or when a node did
// not answer it.
#include <set>

#include "checker/checker.hpp"
#include "systems/miroir/checkers/inspection.hpp"

namespace eclat {
namespace {

class Placement : public Checker {
 public:
  CheckResult check(const CheckContext& ctx) const override {
    CheckResult r;
    const nlohmann::json* inspection = final_inspection(ctx.history.ops());
    if (!inspection) {
      r.summary = "no inspection of the nodes in the history";
      return r;
    }
    const auto& v = *inspection;
    auto owners = owners_by_shard(v);
    nlohmann::json misplaced = nlohmann::json::array(), unreachable = nlohmann::json::array();
    uint64_t misplaced_docs = 0, documents = 0;
    const nlohmann::json nodes = v.value("nodes", nlohmann::json::object());  // items() needs a living object
    for (const auto& [node, info] : nodes.items()) {
      if (!info.value("reachable", false)) {
        unreachable.push_back(node);
        continue;
      }
      const nlohmann::json shards = info.value("shards", nlohmann::json::object());
      for (const auto& [shard, s] : shards.items()) {
        const uint64_t n = s.value("documents", uint64_t{0});
        documents += n;
        if (owners[static_cast<uint32_t>(std::stoul(shard))].count(node)) continue;
        misplaced_docs += n;
        misplaced.push_back({{"node", node}, {"shard", std::stoul(shard)}, {"documents", n}});
      }
    }
    r.details = {{"documents", documents},
                 {"misplaced_documents", misplaced_docs},
                 {"misplaced", misplaced},
                 {"unreachable", unreachable},
                 {"epoch", v.value("epoch", 0)}};
    if (!misplaced.empty()) {
      r.valid = Verdict::invalid;
      r.summary = std::to_string(misplaced_docs) + " documents on " + std::to_string(misplaced.size()) +
                  " (node, shard) pairs the node does not own";
    } else if (!unreachable.empty()) {
      r.valid = Verdict::unknown;
      r.summary = std::to_string(unreachable.size()) + " nodes did not answer the inspection";
    } else {
      r.valid = Verdict::valid;
      r.summary = "every document of " + std::to_string(documents) + " copies is on an owner of its shard";
    }
    return r;
  }
};

const bool registered = register_checker({.name = "placement", .doc = "every document on exactly the owners its shard routes to, in every group"},
                                          [] { return std::make_unique<Placement>(); });

}  // namespace
}  // namespace eclat
