// partition-primary: isolate the current leader (System::primary(), etcd's
// leader) from every other member by silently dropping packets both ways;
// the clients keep their links, so the members that clients talk to keep
// answering what they can. plan() names the leader at that moment, so a
// replay isolates the same node. The start value carries the grudge, as
// every partition's does.
#include "cluster/system.hpp"
#include "core/errors.hpp"
#include "nemesis/grudge_fault.hpp"

namespace eclat {
namespace {

class PartitionPrimary : public GrudgeFault {
 public:
  PartitionPrimary()
      : GrudgeFault([](const std::vector<std::string>&, std::mt19937_64&) { return grudge::Grudge{}; }) {}

  void validate(const TestConfig& cfg, const System& system) const override {
    if (!system.has_primary())
      throw BadInput("fault partition-primary: the " + cfg.system + " system has no leader to isolate");
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const std::string p = ctx.system.primary();
    if (p.empty()) return {{"grudge", nlohmann::json::object()}, {"note", "no leader known"}};
    return {{"primary", p}, {"isolated", p}, {"grudge", grudge::to_json(grudge::isolate(p, ctx.system.db_nodes()))}};
  }
};

const bool registered = register_fault({.name = "partition-primary",
                                         .doc = "isolate the current leader from every other node, silently, both ways",
                                         .colour = "#31a354"},
                                        [] { return std::make_unique<PartitionPrimary>(); });

}  // namespace
}  // namespace eclat
