// partition: isolate one random host (storage node or orchestrator) from every
// other host by silently dropping packets both ways; the control process
// (the clients) keeps its links, as in Jepsen where clients are not
// partitioned. The drop mechanism is the one the kernel probe chose.
#include "cluster/network.hpp"
#include "cluster/traffic_control.hpp"
#include "nemesis/fault.hpp"

namespace eclat {
namespace {

class Partition : public Fault {
 public:
  nlohmann::json plan(NemesisContext& ctx) override {
    auto hosts = ctx.net.hosts();
    return {{"isolated", hosts[std::uniform_int_distribution<size_t>(0, hosts.size() - 1)(ctx.rng)]->name}};
  }

  nlohmann::json start(NemesisContext& ctx, const nlohmann::json& plan) override {
    auto hosts = ctx.net.hosts();
    const Host* target = &ctx.net.host(plan.at("isolated").get<std::string>());
    nlohmann::json grudge = nlohmann::json::object();
    grudge[target->name] = nlohmann::json::array();
    for (const Host* h : hosts) {
      if (h == target) continue;
      ctx.tc.drop(*target, *h);
      ctx.tc.drop(*h, *target);
      grudge[target->name].push_back(h->name);
      grudge[h->name] = {target->name};
    }
    return {{"isolated", target->name},
            {"grudge", grudge},
            {"mechanism", ctx.tc.capabilities().drop_mechanism}};
  }

  nlohmann::json stop(NemesisContext& ctx) override { return heal(ctx); }

  nlohmann::json heal(NemesisContext& ctx) override {
    size_t links = ctx.tc.dropped().size();
    ctx.tc.heal_all();
    return {{"healed_links", links}};
  }
};

const bool registered = register_fault({.name = "partition",
                                         .doc = "isolate one random host (node or orchestrator) from every other host, silently",
                                         .colour = "#2ca02c"},
                                        [] { return std::make_unique<Partition>(); });

}  // namespace
}  // namespace eclat
