// partition-primary: isolate the current leader (System::primary(), etcd's
// leader) from every other member by silently dropping packets both ways,
// as `partition` does for a random host; the clients keep their links, so
// the members that clients talk to keep answering what they can. plan()
// names the leader at that moment, so a replay isolates the same node.
// The start value carries the grudge in partition's format.
#include <algorithm>

#include "cluster/network.hpp"
#include "cluster/systems/system.hpp"
#include "cluster/traffic_control.hpp"
#include "core/errors.hpp"
#include "nemesis/fault.hpp"

namespace eclat {
namespace {

class PartitionPrimary : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    if (!system.has_primary())
      throw BadInput("fault partition-primary: the " + cfg.system + " system has no leader to isolate");
  }

  nlohmann::json plan(NemesisContext& ctx) override {
    const std::string p = ctx.system.primary();
    return {{"primary", p.empty() ? nlohmann::json() : nlohmann::json(p)}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    nlohmann::json r = plan;
    if (!plan.contains("primary") || !plan["primary"].is_string()) {
      r["note"] = "no leader known";
      return r;
    }
    const Host& target = ctx.net.host(plan["primary"].get<std::string>());
    const auto members = ctx.system.db_nodes();
    nlohmann::json grudge = nlohmann::json::object();
    grudge[target.name] = nlohmann::json::array();
    for (const Host* h : ctx.net.hosts()) {
      if (h == &target || std::find(members.begin(), members.end(), h->name) == members.end()) continue;
      ctx.tc.drop(target, *h);
      ctx.tc.drop(*h, target);
      links_.emplace_back(&target, h);
      grudge[target.name].push_back(h->name);
      grudge[h->name] = {target.name};
    }
    r["isolated"] = target.name;
    r["grudge"] = grudge;
    r["mechanism"] = ctx.tc.capabilities().drop_mechanism;
    return r;
  }

  // Heals only its own links: another partition may be on meanwhile.
  nlohmann::json stop(NemesisContext& ctx) override {
    for (const auto& [a, b] : links_) {
      ctx.tc.heal(*a, *b);
      ctx.tc.heal(*b, *a);
    }
    nlohmann::json r = {{"healed_links", 2 * links_.size()}};
    links_.clear();
    return r;
  }

  nlohmann::json heal(NemesisContext& ctx) override {
    links_.clear();
    size_t links = ctx.tc.dropped().size();
    ctx.tc.heal_all();
    return {{"healed_links", links}};
  }

 private:
  std::vector<std::pair<const Host*, const Host*>> links_;
};

const bool registered = register_fault("partition-primary", [] { return std::make_unique<PartitionPrimary>(); });

}  // namespace
}  // namespace eclat
