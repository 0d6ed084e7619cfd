// partition-new-node: cut the node added last off from every other host
// (orchestrators and nodes), both ways, silently; stop() and heal() restore
// exactly those links. "When the copy completes, partition the new node" is
// this fault on a phase trigger (nemesis/triggers.hpp).
#include "cluster/network.hpp"
#include "cluster/traffic_control.hpp"
#include "systems/miroir/hooks.hpp"

namespace eclat {
namespace {

class PartitionNewNode : public Fault {
 public:
  void validate(const TestConfig& cfg, const System& system) const override {
    require_miroir("nemesis partition-new-node", cfg, system);
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json&) override {
    const std::string target = miroir_hooks(ctx).newest_node();
    if (target.empty()) return {{"note", "no node was added yet"}};
    const Host& t = ctx.net.host(target);
    nlohmann::json grudge = nlohmann::json::object();
    grudge[target] = nlohmann::json::array();
    for (const Host* h : ctx.net.hosts()) {
      if (h->name == target) continue;
      ctx.tc.drop(t, *h);
      ctx.tc.drop(*h, t);
      cut_.emplace_back(target, h->name);
      grudge[target].push_back(h->name);
      grudge[h->name] = {target};
    }
    return {{"isolated", target}, {"grudge", grudge}, {"mechanism", ctx.tc.capabilities().drop_mechanism}};
  }

  nlohmann::json stop(NemesisContext& ctx) override { return heal(ctx); }

  nlohmann::json heal(NemesisContext& ctx) override {
    size_t links = 0;
    for (const auto& [a, b] : cut_) {
      ctx.tc.heal(ctx.net.host(a), ctx.net.host(b));
      ctx.tc.heal(ctx.net.host(b), ctx.net.host(a));
      links += 2;
    }
    cut_.clear();
    return {{"healed_links", links}};
  }

 private:
  std::vector<std::pair<std::string, std::string>> cut_;
};

const bool registered = register_fault({.name = "partition-new-node",
                                         .doc = "cut the node added last off from every other host, silently",
                                         .colour = "#1b7a3c"},
                                        [] { return std::make_unique<PartitionNewNode>(); });

}  // namespace
}  // namespace eclat
